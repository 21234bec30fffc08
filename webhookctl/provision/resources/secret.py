"""The env's one Secrets Manager secret of provider signing material, encrypted with the CMK.

`up` never overwrites material that exists; in non-protected envs it generates test
material for each enabled provider that has none, so `send-test` works at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from webhookctl.errors import UsageError
from webhookctl.provision.models import Secret
from webhookctl.provision.resources.base import Difference, Observed, compare, compare_tags, ignore_missing, is_not_found, tag_list
from webhookctl.provision.resources.kms import KEY_ARN, PROTECTED_SECRET_RECOVERY_DAYS
from webhookctl.provision.retry import retry_on_propagation

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.names import Names
    from webhookctl.provision.deployment import Deployment


def desired(settings: Settings, names: Names, deployment: Deployment) -> list[Secret]:
    return [
        Secret(
            name="secret",
            secret_name=names.secret,
            description=f"Provider webhook signing material for {settings.prefix} {settings.env}",
            kms_key_arn=KEY_ARN,
            generate_for=() if settings.protected else tuple(settings.providers_enabled),
            recovery_window_days=PROTECTED_SECRET_RECOVERY_DAYS if settings.protected else None,
            tags=names.tags(),
            paypal_certificates=paypal_certificates(settings),
        )
    ]


def paypal_certificates(settings: Settings) -> tuple[str, ...]:
    """[providers.paypal] cert_file's PEM, to pin in the secret document."""
    if not settings.paypal_cert_file:
        return ()
    try:
        return (settings.paypal_cert_file.read_text(),)
    except OSError as exc:
        raise UsageError(f"config key 'providers.paypal.cert_file': cannot read {settings.paypal_cert_file}: {exc.strerror}") from None


# Discovery finds this resource by its own name alone: it waits for no other resource.
DISCOVERED_FROM: tuple[str, ...] = ()


def discover(target: Any, model: Secret) -> Observed | None:
    client = target.client("secretsmanager")
    try:
        described = client.describe_secret(SecretId=model.secret_name)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    pending = described.get("DeletedDate") is not None
    providers: list[str] = []
    pinned: list[str] = []
    if not pending:
        document = current_document(client, model.secret_name)
        providers = sorted(document)
        pinned = list((document.get("paypal") or {}).get("certificates") or [])
    return Observed(
        outputs={"arn": described["ARN"], "name": model.secret_name},
        state={
            "pending_deletion": pending,
            "kms_key": described.get("KmsKeyId"),
            "description": described.get("Description", ""),
            "providers": providers,
            "paypal_certificates": pinned,
            "tags": {t["Key"]: t["Value"] for t in described.get("Tags", [])},
        },
    )


def current_document(client: Any, secret_id: str) -> dict[str, Any]:
    """The secret's document; {} while it has no value (no AWSCURRENT version) or holds no document."""
    from webhook_signatures import material

    try:
        text = client.get_secret_value(SecretId=secret_id).get("SecretString")
    except ClientError as exc:
        if is_not_found(exc):  # a secret with no value yet
            return {}
        raise
    try:
        return material.load_document(text)
    except ValueError:
        return {}


def _missing(model: Secret, have: list[str]) -> list[str]:
    return [p for p in model.generate_for if p not in have]


def diff(target: Any, model: Secret, observed: Observed) -> list[Difference]:
    state = observed.state
    differences: list[Difference] = []
    compare(differences, "pending_deletion", state["pending_deletion"], False)
    compare(differences, "kms_key", state["kms_key"], model.kms_key_arn)
    compare(differences, "description", state["description"], model.description)
    missing = _missing(model, state["providers"])
    if missing:
        differences.append(Difference("material", "none for " + ", ".join(missing), "generated test material"))
    unpinned = _unpinned(model, state.get("paypal_certificates", []))
    if unpinned and not state["pending_deletion"]:
        differences.append(Difference("paypal_certificates", f"{len(unpinned)} of cert_file not pinned", "cert_file pinned"))
    compare_tags(differences, state["tags"], model.tags)
    return differences


def _unpinned(model: Secret, have: list[str]) -> list[str]:
    return [pem for pem in model.paypal_certificates if pem not in have]


def _generated(providers: list[str] | tuple[str, ...], document: dict[str, Any]) -> dict[str, Any]:
    from webhook_signatures import material

    merged = dict(document)
    for provider in providers:
        merged.setdefault(provider, material.generate(provider))
    return merged


def _with_pinned(model: Secret, document: dict[str, Any]) -> dict[str, Any]:
    """The document with cert_file's certificates trusted for PayPal (after any already there)."""
    have = list((document.get("paypal") or {}).get("certificates") or [])
    unpinned = _unpinned(model, have)
    if not unpinned:
        return document
    return {**document, "paypal": {**(document.get("paypal") or {}), "certificates": [*have, *unpinned]}}


def create(target: Any, model: Secret) -> dict[str, Any]:
    from webhook_signatures import material

    client = target.client("secretsmanager")
    request: dict[str, Any] = {
        "Name": model.secret_name,
        "Description": model.description,
        "KmsKeyId": model.kms_key_arn,
        "Tags": tag_list(model.tags),
    }
    if model.generate_for or model.paypal_certificates:
        request["SecretString"] = material.dump_document(_with_pinned(model, _generated(model.generate_for, {})))
    arn = retry_on_propagation(lambda: client.create_secret(**request), key_just_created=True)["ARN"]
    return {"arn": arn, "name": model.secret_name}


def update(target: Any, model: Secret, observed: Observed, differences: list[Difference]) -> dict[str, Any]:
    from webhook_signatures import material

    client = target.client("secretsmanager")
    props = {d.property for d in differences}
    if "pending_deletion" in props:
        client.restore_secret(SecretId=model.secret_name)
    if props & {"kms_key", "description"}:
        client.update_secret(SecretId=model.secret_name, KmsKeyId=model.kms_key_arn, Description=model.description)
    if props & {"material", "paypal_certificates"} or ("pending_deletion" in props and (model.generate_for or model.paypal_certificates)):
        # Re-read just before writing: material set meanwhile is kept, never overwritten.
        document = current_document(client, model.secret_name)
        wanted = _with_pinned(model, _generated(model.generate_for, document))
        if wanted != document:
            client.put_secret_value(SecretId=model.secret_name, SecretString=material.dump_document(wanted))
    if "tags" in props:
        client.tag_resource(SecretId=model.secret_name, Tags=tag_list(model.tags))
    return dict(observed.outputs)


def delete(target: Any, model: Secret, observed: Observed) -> None:
    client = target.client("secretsmanager")
    if observed.state["pending_deletion"]:
        return
    if model.recovery_window_days is None:
        ignore_missing(lambda: client.delete_secret(SecretId=model.secret_name, ForceDeleteWithoutRecovery=True))
    else:
        ignore_missing(lambda: client.delete_secret(SecretId=model.secret_name, RecoveryWindowInDays=model.recovery_window_days))
