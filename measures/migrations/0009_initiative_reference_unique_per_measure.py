"""Issue 13 item 4: an initiative's reference (ECO-9, ECO-9-2) is unique per
measure, whatever its modality. Before, each modality numbered its own
initiatives from 1, so a modality (b) initiative repeated the reference of the
measure's modality (a) one. Existing repeats are renumbered (the later one
takes the measure's next number) before the constraint is added; papers keep
the symbols they were given."""

from django.db import migrations, models


def renumber_repeated_references(apps, schema_editor):
    Initiative = apps.get_model("measures", "Initiative")
    seen: dict[int, set[int]] = {}
    highest: dict[int, int] = {}
    repeats = []
    for pk, measure_id, sequence in Initiative.objects.order_by(
        "measure_id", "created_at", "pk"
    ).values_list("pk", "measure_id", "sequence"):
        highest[measure_id] = max(highest.get(measure_id, 0), sequence)
        used = seen.setdefault(measure_id, set())
        if sequence in used:
            repeats.append((pk, measure_id))
        else:
            used.add(sequence)
    for pk, measure_id in repeats:
        highest[measure_id] += 1
        Initiative.objects.filter(pk=pk).update(sequence=highest[measure_id])


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0008_participant_initiative_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="initiative",
            name="initiative_sequence",
        ),
        migrations.RunPython(renumber_repeated_references, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=models.UniqueConstraint(
                fields=("measure", "sequence"), name="initiative_reference"
            ),
        ),
    ]
