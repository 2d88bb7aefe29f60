"""``yichuang reindex_knowledge [--all]``: the catalogue items changed since
the cursor, or (``--all``) the whole search index rebuilt."""

from django.core.management.base import BaseCommand

from yichuang.knowledge.indexing import reindex_all, reindex_items_changed


class Command(BaseCommand):
    help = "Reindex the knowledge search: changed catalogue items, or everything with --all."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild the whole index")

    def handle(self, *args, **options):
        if options["all"]:
            counts = reindex_all()
            self.stdout.write(f"articles {counts['articles']}, items {counts['items']}")
        else:
            self.stdout.write(f"items {reindex_items_changed()}")
