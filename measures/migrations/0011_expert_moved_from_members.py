"""Expert moves from members to measures (its relations point at the
Catalogue). Only Django's record of the models changes: the rows stay in
their tables (members_expert, members_historicalexpert, and the join tables),
so a database that already holds experts keeps them. The content types
follow the model, so permissions, admin log entries and history keep
pointing at it."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = ("expert", "historicalexpert")


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_measures(apps, schema_editor):
    _move_content_types(apps, "members", "measures")


def content_types_to_members(apps, schema_editor):
    _move_content_types(apps, "measures", "members")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('measures', '0010_timeline_events'),
        ('members', '0004_delegate_language'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Expert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('contact', models.CharField(blank=True, max_length=300, verbose_name='contact')),
                        ('expertise', models.TextField(blank=True, verbose_name='expertise')),
                        ('languages', models.CharField(blank=True, help_text='e.g. en, ru', max_length=100, verbose_name='languages')),
                        ('started_on', models.DateField(verbose_name='from')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('designated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='designated by')),
                        ('measure', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='experts', to='measures.measure', verbose_name='measure')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='experts', to='members.participant', verbose_name='designating state')),
                    ],
                    options={
                        'verbose_name': 'expert',
                        'verbose_name_plural': 'experts',
                        'db_table': 'members_expert',
                        'ordering': ['measure', 'participant__code', 'name'],
                    },
                ),
                migrations.AlterField(
                    model_name='historicalinitiative_responsible_experts',
                    name='expert',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.expert'),
                ),
                migrations.AlterField(
                    model_name='initiative',
                    name='responsible_experts',
                    field=models.ManyToManyField(blank=True, help_text='Modality (b): the experts charged with the working paper.', related_name='working_papers', to='measures.expert', verbose_name='responsible experts'),
                ),
                migrations.CreateModel(
                    name='HistoricalExpert',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('contact', models.CharField(blank=True, max_length=300, verbose_name='contact')),
                        ('expertise', models.TextField(blank=True, verbose_name='expertise')),
                        ('languages', models.CharField(blank=True, help_text='e.g. en, ru', max_length=100, verbose_name='languages')),
                        ('started_on', models.DateField(verbose_name='from')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('designated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='designated by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('measure', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.measure', verbose_name='measure')),
                        ('participant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.participant', verbose_name='designating state')),
                    ],
                    options={
                        'verbose_name': 'historical expert',
                        'verbose_name_plural': 'historical experts',
                        'db_table': 'members_historicalexpert',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='expert',
                    constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='expert_ends_after_start'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_measures, content_types_to_members),
    ]
