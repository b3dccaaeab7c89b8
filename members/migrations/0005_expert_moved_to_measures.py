"""Expert moved to measures (measures 0011): members forgets it. The tables
stay, now owned by measures.Expert, so nothing is dropped."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0011_expert_moved_from_members'),
        ('members', '0004_delegate_language'),
        ('secretariat', '0010_meeting_experts_in_measures'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalexpert',
                    name='designated_by',
                ),
                migrations.RemoveField(
                    model_name='historicalexpert',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalexpert',
                    name='measure',
                ),
                migrations.RemoveField(
                    model_name='historicalexpert',
                    name='participant',
                ),
                migrations.DeleteModel(
                    name='Expert',
                ),
                migrations.DeleteModel(
                    name='HistoricalExpert',
                ),
            ],
            database_operations=[],
        ),
    ]
