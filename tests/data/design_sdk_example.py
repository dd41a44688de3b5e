# src/reverse_provider/__init__.py   (manifest: entry: reverse_provider:ReverseProvider)
from mediaconduit.sdk import Model, ModelInfo, ModelNotFoundError, Provider, Text


class ReverseModel(Model):
    def transform(self, input: Text, **params) -> Text:
        return Text(input.text[::-1])


class ReverseProvider(Provider):
    MODELS = [ModelInfo(id="reverse", name="Reverse", capabilities=["text-to-text"])]

    def discover_models(self) -> list[ModelInfo]:
        return self.MODELS

    def get_model(self, model_id: str) -> Model:
        for info in self.MODELS:
            if info.id == model_id:
                return ReverseModel(info, self)     # Model(info, provider)
        raise ModelNotFoundError(model_id)
