from typing import Self

import pytest
from pydantic import SecretStr, ValidationError, model_validator
from service_kit import ServiceSettings, refuse_default_secret

DEFAULT = "change-me"


class ExampleSettings(ServiceSettings):
    service_name: str = "example"
    api_secret: SecretStr = SecretStr(DEFAULT)

    @model_validator(mode="after")
    def _refuse_defaults(self) -> Self:
        refuse_default_secret(self.api_secret, DEFAULT, self.environment, "API_SECRET")
        return self


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_default_accepted_in_development(environment: str) -> None:
    settings = ExampleSettings(environment=environment)

    assert settings.is_development


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_development_default_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="API_SECRET still has its development default"):
        ExampleSettings(environment=environment)


def test_explicit_secret_accepted_in_production() -> None:
    settings = ExampleSettings(environment="production", api_secret=SecretStr("s3cr3t-value"))

    assert not settings.is_development
    assert settings.api_secret.get_secret_value() == "s3cr3t-value"


def test_refuse_default_secret_returns_plain_values() -> None:
    assert refuse_default_secret("other", DEFAULT, "production", "X") == "other"
    with pytest.raises(ValueError, match="X still has"):
        refuse_default_secret(DEFAULT, DEFAULT, "production", "X")


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging")
    monkeypatch.setenv("CORS_ORIGINS", '["https://app.example.com"]')
    monkeypatch.setenv("TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("API_SECRET", "from-the-environment")

    settings = ExampleSettings()

    assert settings.environment == "staging"
    assert settings.cors_origins == ["https://app.example.com"]
    assert settings.traces_exporter == "otlp"


def test_unknown_environment_rejected() -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(service_name="x", environment="prod")
