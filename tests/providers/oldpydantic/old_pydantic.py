import pydantic

from mediaconduit.sdk import Model, ModelInfo, ModelNotFoundError, Provider, Text


class Greeting(pydantic.BaseModel):
    name: str


class VersionModel(Model):
    def transform(self, input: Text, **params) -> Text:
        greeting = Greeting.parse_raw('{"name": "%s"}' % input.text)  # pydantic 1 API
        return Text(f"{pydantic.VERSION} {greeting.name}")


class OldPydanticProvider(Provider):
    INFO = ModelInfo(id="version", capabilities=["text-to-text"])

    def discover_models(self):
        return [self.INFO]

    def get_model(self, model_id):
        if model_id != "version":
            raise ModelNotFoundError(model_id)
        return VersionModel(self.INFO, self)
