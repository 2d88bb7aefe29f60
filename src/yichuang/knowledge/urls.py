from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("new/", views.article_new, name="new"),
    path("articles/<int:article_id>/", views.article_page, name="article"),
    path("articles/<int:article_id>/edit/", views.article_edit, name="edit"),
    path("articles/<int:article_id>/publish/", views.article_publish, name="publish"),
    path(
        "articles/<int:article_id>/v<int:number>/attachment.pdf",
        views.attachment,
        name="attachment",
    ),
    path("flags/", views.flags_page, name="flags"),
    path("flags/new/", views.flag_new, name="flag_new"),
    path("flags/<int:flag_id>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("gaps/", views.gaps_page, name="gaps"),
    path("fragments/answers/", views.fragment_answers, name="fragment_answers"),
]
