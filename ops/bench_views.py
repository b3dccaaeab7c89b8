"""Reference views for the benchmark only (mounted when CICA_BENCH_VIEWS is set):
the framework's floor and a naive DRF view, beside the real endpoint."""

from django.http import JsonResponse
from rest_framework import generics, serializers

from measures.models import Initiative, Measure


def floor_measures(request):
    """The floor: the same rows as /api/v1/measures/ from .values(), as JSON
    (``page_size`` rows, 50 by default, as the API)."""
    size = min(int(request.GET.get("page_size") or 50), 200)
    rows = list(
        Measure.objects.order_by("sort_key", "pk").values(
            "code", "area__code", "number", "title", "text"
        )[:size]
    )
    return JsonResponse({"count": len(rows), "results": rows})


class NaiveInitiativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Initiative
        fields = ["id", "status", "sequence"]


class NaiveMeasureSerializer(serializers.ModelSerializer):
    initiatives = NaiveInitiativeSerializer(many=True, read_only=True)

    class Meta:
        model = Measure
        fields = ["code", "number", "title", "text", "area", "initiatives"]
        depth = 1


class NaiveMeasures(generics.ListAPIView):
    """Nested ModelSerializers, no select/prefetch: what a first draft looks like."""

    serializer_class = NaiveMeasureSerializer
    queryset = Measure.objects.all().order_by("pk")
