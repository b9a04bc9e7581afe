"""One settings object (prefix ``GW_``); with no configuration the gateway runs embedded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "PipelineSettings",
    "PortalSettings",
    "Settings",
    "SigningSettings",
    "SmtpSettings",
    "XmlSettings",
    "get_settings",
]


class XmlSettings(BaseModel):
    """The hardened parser's limits (``schemas.xmlsafe.XmlLimits``), e.g. ``GW_XML__MAX_DEPTH``."""

    max_bytes: int = 50 * 1024 * 1024
    max_depth: int = 100
    max_elements: int = 2_000_000
    max_attributes_per_element: int = 256
    max_attributes: int = 2_000_000
    max_text_chars: int = 8_000_000
    max_name_chars: int = 1_000
    max_namespaces: int = 1_000


class PipelineSettings(BaseModel):
    max_attempts: int = 8
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 600.0
    lease_seconds: float = 60.0
    sweep_interval_seconds: float = 5.0
    http_timeout_seconds: float = 30.0
    # A receipt may wait on a person (a company approving its VAT draft): poll this long.
    receipt_poll_hours: float = 24.0 * 14
    receipt_poll_cap_seconds: float = 3600.0
    # CPU/time budget of one pipeline step (one Celery task); over it, the submission fails.
    step_budget_seconds: float = 300.0
    step_grace_seconds: float = 30.0


class WebhookSettings(BaseModel):
    """Delivery of webhooks to the subscribers' endpoints."""

    max_attempts: int = 10
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 6 * 3600.0
    timeout_seconds: float = 10.0
    sweep_interval_seconds: float = 30.0


class SigningSettings(BaseModel):
    """Where the gateway's signing identity and trust store come from.

    Defaults are the development keys that ``gateway keys init`` writes into the
    keys folder; a deployment names a PKCS#12 or PEM file and its password.
    """

    key_file: Path | None = None
    key_password: SecretStr | None = None
    trust_file: Path | None = None
    # Who may sign, per purpose (document, as4, ws-security): certificate policy OIDs
    # admitted besides the development CA's, and certificates (SHA-256) that alone may sign.
    signer_policy_oids: dict[str, list[str]] = Field(default_factory=dict)
    pinned_signers: dict[str, list[str]] = Field(default_factory=dict)


class SmtpSettings(BaseModel):
    """Outgoing e-mail; with no host the notices go to the outbox folder of the data dir."""

    host: str | None = None
    port: int = 25
    sender: str = "gateway@localhost"
    starttls: bool = False


class AuditSettings(BaseModel):
    """Checkpoints anchoring the audit chains outside the database."""

    # A write-once folder the database cannot touch (default: <data_dir>/audit-checkpoints).
    checkpoint_dir: Path | None = None
    # RFC 3161 time-stamping authority (default: the sandbox's, <sandbox_url>/tsa).
    tsa_url: str | None = None
    # Roots for the TSA and the checkpoint signer (default: the signing trust store).
    trust_file: Path | None = None
    require_timestamp: bool = True
    checkpoint_interval_seconds: float = 3600.0


class PortalSettings(BaseModel):
    """The people's portal: its OIDC provider (the sandbox's by default) and its sessions."""

    oidc_issuer: str | None = None
    oidc_client_id: str = "gateway-portal"
    oidc_client_secret: SecretStr = SecretStr("sandbox-portal-secret")
    # Minutes a session lives without a request, and at most from login.
    session_idle_minutes: int = 30
    session_max_minutes: int = 8 * 60


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GW_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    data_dir: Path = Path("var")
    database_url: str | None = None
    broker_url: str | None = None
    artefacts_dir: Path | None = None
    keys_dir: Path | None = None
    blob_dir: Path | None = None
    routing_file: Path | None = None
    # The Celery queue; separate gateways (or test runs) sharing one broker use their own.
    queue: str = "gateway"
    host: str = "127.0.0.1"
    port: int = 8000
    sandbox_port: int = 8100
    # Where channels find the sandbox authorities; by default the ``gateway sandbox`` process
    # (``gateway up`` starts it) on loopback at ``sandbox_port``.
    sandbox_url: str | None = None
    public_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
    task_always_eager: bool = False
    xml: XmlSettings = Field(default_factory=XmlSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    signing: SigningSettings = Field(default_factory=SigningSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    # What the API-client commands (tender, bid, order, invoice) send as their key.
    api_key: SecretStr | None = None
    # The passphrase ``gateway bid keygen`` / ``bid seal`` use for the supplier's key file.
    bid_key_password: SecretStr | None = None
    audit: AuditSettings = Field(default_factory=AuditSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    portal: PortalSettings = Field(default_factory=PortalSettings)
    # Test only: a file holding an offset in seconds that moves the clock of every
    # process (gateway.clock); refused unless test_mode is on.
    test_mode: bool = False
    test_clock_file: Path | None = None

    @model_validator(mode="after")
    def _test_clock_needs_test_mode(self) -> Settings:
        if self.test_clock_file is not None and not self.test_mode:
            raise ValueError(
                "GW_TEST_CLOCK_FILE moves the gateway's clock and is for tests only: "
                "set GW_TEST_MODE=1 as well, or unset GW_TEST_CLOCK_FILE"
            )
        return self

    @property
    def data_path(self) -> Path:
        return self.data_dir.resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'gateway.sqlite'}"

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or "gwfs://localhost//"

    @property
    def broker_folder(self) -> Path:
        return self.data_path / "broker"

    @property
    def effective_artefacts_dir(self) -> Path:
        return (self.artefacts_dir or self.data_path / "artefacts").resolve()

    @property
    def effective_keys_dir(self) -> Path:
        return (self.keys_dir or self.data_path / "keys").resolve()

    @property
    def signing_key_file(self) -> Path:
        return (self.signing.key_file or self.effective_keys_dir / "signing.p12").resolve()

    @property
    def trust_file(self) -> Path:
        return (self.signing.trust_file or self.effective_keys_dir / "trust.pem").resolve()

    @property
    def effective_blob_dir(self) -> Path:
        return (self.blob_dir or self.data_path / "blobs").resolve()

    @property
    def effective_public_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def effective_sandbox_url(self) -> str:
        return self.sandbox_url or f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def effective_oidc_issuer(self) -> str:
        return self.portal.oidc_issuer or f"{self.effective_sandbox_url}/oidc"

    @property
    def is_embedded(self) -> bool:
        return self.database_url is None or self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
