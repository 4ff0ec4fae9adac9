"""Production with the second factor turned off is reported by `check --deploy`."""

from tests.test_settings import PRODUCTION, _check


def test_production_without_the_second_factor_fails_the_deploy_check():
    result = _check({**PRODUCTION, "PARTYHUB_REQUIRE_OTP": "0"}, "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr + result.stdout
