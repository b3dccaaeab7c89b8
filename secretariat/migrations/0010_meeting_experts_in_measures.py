"""A meeting's experts now point at measures.Expert (moved from members);
the table and its rows are unchanged, so only Django's record changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0011_expert_moved_from_members'),
        ('secretariat', '0009_outbox_claimed_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalmeeting_experts',
                    name='expert',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.expert'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='experts',
                    field=models.ManyToManyField(blank=True, related_name='meetings', to='measures.expert', verbose_name='attending experts'),
                ),
            ],
            database_operations=[],
        ),
    ]
