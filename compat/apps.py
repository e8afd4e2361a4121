from django.apps import AppConfig


class CompatConfig(AppConfig):
    name = "compat"
    verbose_name = "EvalAI and Kaggle CLI compatibility"
