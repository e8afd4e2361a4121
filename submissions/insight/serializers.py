"""The shapes of an insight, a standing and a comparison in the REST API (and so in its OpenAPI schema)."""

from rest_framework import serializers


class PerLabelSerializer(serializers.Serializer):
    label = serializers.CharField()
    precision = serializers.FloatField()
    recall = serializers.FloatField()
    f1 = serializers.FloatField()
    support = serializers.IntegerField(help_text="Public rows whose true label this is")


class ResidualsSerializer(serializers.Serializer):
    edges = serializers.ListField(child=serializers.FloatField(), help_text="Bin edges, one more than counts")
    counts = serializers.ListField(child=serializers.IntegerField())
    below = serializers.IntegerField(help_text="Rows left of the first edge (the 1st percentile)")
    above = serializers.IntegerField(help_text="Rows right of the last edge (the 99th percentile)")
    mean_error = serializers.FloatField(
        allow_null=True, help_text="Mean of prediction minus truth; null if it overflows"
    )
    mean_absolute_error = serializers.FloatField(allow_null=True)


class DecileSerializer(serializers.Serializer):
    decile = serializers.IntegerField(help_text="1 = the smallest tenth of the true values")
    low = serializers.FloatField()
    high = serializers.FloatField()
    count = serializers.IntegerField()
    mean_error = serializers.FloatField(allow_null=True)
    mean_absolute_error = serializers.FloatField(allow_null=True)


class CalibrationBinSerializer(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()
    count = serializers.IntegerField()
    mean_predicted = serializers.FloatField()
    fraction_true = serializers.FloatField()


class CalibrationSerializer(serializers.Serializer):
    of = serializers.CharField(help_text="What the probabilities are of")
    bins = CalibrationBinSerializer(many=True, help_text="Ten equal bins of [0, 1]; empty ones left out")


class InsightSerializer(serializers.Serializer):
    """Computed on the Public rows only, when the submission was scored. Which keys are present depends on
    `kind`: classification has labels, confusion_matrix, per_label; regression residuals and by_true_decile;
    probabilities calibration (and, for labels, the classification keys of the likeliest label)."""

    kind = serializers.ChoiceField(choices=["classification", "regression", "probabilities"])
    rows = serializers.IntegerField(help_text="Public rows described")
    labels = serializers.ListField(
        child=serializers.CharField(), allow_null=True, required=False, help_text="Order of the matrix"
    )
    confusion_matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        allow_null=True,
        required=False,
        help_text="One row per true label, one column per predicted label, in the order of labels; "
        "null above 50 labels",
    )
    per_label = PerLabelSerializer(many=True, required=False)
    truncated = serializers.BooleanField(required=False, help_text="per_label holds the 200 most frequent")
    threshold = serializers.FloatField(
        required=False, help_text="P(positive) at or above it counts as positive"
    )
    calibration = CalibrationSerializer(required=False)
    residuals = ResidualsSerializer(required=False)
    by_true_decile = DecileSerializer(many=True, required=False)


class StandingSerializer(serializers.Serializer):
    """The submission beside the baseline, the learner's best and rank, on the Public board."""

    score = serializers.FloatField()
    baseline_score = serializers.FloatField(allow_null=True)
    beats_baseline = serializers.BooleanField(allow_null=True)
    personal_best = serializers.FloatField(allow_null=True)
    previous_best = serializers.FloatField(allow_null=True)
    is_new_personal_best = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    learners = serializers.IntegerField()


class FlowSerializer(serializers.Serializer):
    from_label = serializers.CharField(help_text="The label in the first submission")
    to_label = serializers.CharField(help_text="The label in the other one")
    rows = serializers.IntegerField()


class CompareRowsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["labels", "numbers"])
    rows = serializers.IntegerField(help_text="Public rows compared")
    changed = serializers.IntegerField(help_text="Public rows whose prediction differs")
    flows = FlowSerializer(
        many=True, required=False, help_text="Largest first: rows that went from one label to another"
    )
    other_flows_rows = serializers.IntegerField(required=False)
    threshold = serializers.FloatField(required=False)
    became_right = serializers.IntegerField(required=False)
    became_wrong = serializers.IntegerField(required=False)
    mean_absolute_change = serializers.FloatField(required=False)
    closer = serializers.IntegerField(
        required=False, help_text="Rows whose prediction moved closer to the truth"
    )
    further = serializers.IntegerField(required=False)


class CompareSerializer(serializers.Serializer):
    submission = serializers.IntegerField()
    other = serializers.IntegerField()
    challenge = serializers.CharField()
    public_score = serializers.FloatField()
    other_public_score = serializers.FloatField()
    score_difference = serializers.FloatField(help_text="other_public_score minus public_score")
    other_is_better = serializers.BooleanField()
    rows = CompareRowsSerializer(allow_null=True)
