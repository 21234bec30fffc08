"""One clear sentence and a hint for each kind of botocore failure."""

from __future__ import annotations

from webhookctl import exit_codes

_THROTTLING = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
_AUTH = {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "AccessDenied", "AccessDeniedException", "SignatureDoesNotMatch"}


def describe_botocore_error(exc: Exception) -> tuple[str, str | None, int]:
    import botocore.exceptions as bce

    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        message = (error.get("Message") or "").strip().splitlines()[0:1]
        text = f"AWS {exc.operation_name} failed: {code}" + (f": {message[0]}" if message else "")
        if code in _THROTTLING:
            return text, "AWS is throttling; wait a moment and run the command again", exit_codes.FAILED
        if code in _AUTH:
            return text, "check the credentials and the permissions of the role in use", exit_codes.FAILED
        return text, None, exit_codes.FAILED
    if isinstance(exc, bce.NoCredentialsError):
        return "no AWS credentials were found", "configure credentials, or use --target local", exit_codes.USAGE
    if isinstance(exc, bce.NoRegionError):
        return "no AWS region is set", "pass --region or set AWS_REGION", exit_codes.USAGE
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectionClosedError, bce.ConnectTimeoutError, bce.ReadTimeoutError)):
        return f"cannot reach the AWS endpoint: {exc}", "check --endpoint-url, or start the local cloud: webhookctl local start", exit_codes.FAILED
    if isinstance(exc, bce.ProfileNotFound):
        return str(exc), "check ~/.aws/config or drop --profile", exit_codes.USAGE
    return f"AWS call failed: {exc}", None, exit_codes.FAILED
