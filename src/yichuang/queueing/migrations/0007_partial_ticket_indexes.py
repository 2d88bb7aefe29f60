"""Leaner ticket writes: every call and finish rewrites the ticket row and adds
an entry to each index whose condition the new row meets. Foreign keys that are
mostly empty (transfer, appointment, target window; no clerk before the call)
and the phone and ID hashes get partial indexes; finished tickets get two small
indexes of their own (recent service times per queue, the pad's last service
per window) in place of three full ones; the rating code is unique only where
it is set. The ticket events' optional keys get partial indexes too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_calendar_data"),
        ("queueing", "0006_ticket_autovacuum"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="ticket",
            name="uniq_ticket_rating_code",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_queue_waiting",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_window_status",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_queue_done",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_phone_hash",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_id_hash",
        ),
        migrations.AlterField(
            model_name="queuecounter",
            name="queue",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="counters",
                to="queueing.queue",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="appointment",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="queueing.appointment",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="clerk",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.staff",
                verbose_name="经办人",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="first_ask",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.staff",
                verbose_name="首问负责人",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="target_window",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.window",
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="transferred_from",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transfers",
                to="queueing.ticket",
            ),
        ),
        migrations.AlterField(
            model_name="ticketevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="ticketevent",
            name="device",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="org.device",
            ),
        ),
        migrations.AlterField(
            model_name="ticketevent",
            name="ticket",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="queueing.ticket",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "done")),
                fields=["queue", "day", "finished_at"],
                name="ticket_done_in_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "done")),
                fields=["window", "finished_at"],
                name="ticket_done_at_window",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("phone_hash", ""), _negated=True),
                fields=["phone_hash"],
                name="ticket_phone_hash",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("id_hash", ""), _negated=True),
                fields=["id_hash"],
                name="ticket_id_hash",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("clerk__isnull", False)), fields=["clerk"], name="ticket_clerk"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("first_ask__isnull", False)),
                fields=["first_ask"],
                name="ticket_first_ask",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("target_window__isnull", False)),
                fields=["target_window"],
                name="ticket_target_window",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("transferred_from__isnull", False)),
                fields=["transferred_from"],
                name="ticket_transferred_from",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("appointment__isnull", False)),
                fields=["appointment"],
                name="ticket_appointment",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("ticket__isnull", False)),
                fields=["ticket"],
                name="event_ticket",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("device__isnull", False)),
                fields=["device"],
                name="event_device",
            ),
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(
                condition=models.Q(("rating_code__isnull", False)),
                fields=("rating_code",),
                name="uniq_ticket_rating_code",
            ),
        ),
    ]
