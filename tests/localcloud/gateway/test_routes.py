from webhookctl.localcloud.gateway import routes

FN = "arn:aws:lambda:us-east-1:123456789012:function:webhookctl-receiver-dev"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations"


def table():
    return routes.build_routes(
        [
            {"path": "/", "methods": {}},
            {"path": "/webhook", "methods": {}},
            {"path": "/webhook/{provider}", "methods": {"POST": {"type": "AWS_PROXY", "uri": URI, "timeout_ms": None}}},
            {"path": "/webhook/health", "methods": {"GET": {"type": "MOCK", "uri": None}}},
            {"path": "/files/{key+}", "methods": {"ANY": {"type": "AWS_PROXY", "uri": URI, "timeout_ms": 500}}},
        ]
    )


def test_function_arn_is_read_from_the_integration_uri():
    assert routes.function_arn_from_uri(URI) == FN
    assert routes.function_arn_from_uri("https://example.com") is None


def test_path_parameter_matches_one_segment():
    found = routes.match(table(), "/webhook/stripe", "POST")
    assert found.route.resource_path == "/webhook/{provider}"
    assert found.path_parameters == {"provider": "stripe"}
    assert found.integration.function_arn == FN and found.integration.timeout_ms == 29_000
    assert routes.match(table(), "/webhook/stripe/extra", "POST") is None


def test_literal_segment_wins_over_a_parameter():
    assert routes.match(table(), "/webhook/health", "GET").route.resource_path == "/webhook/health"


def test_method_must_be_defined_unless_any():
    assert routes.match(table(), "/webhook/stripe", "GET") is None
    greedy = routes.match(table(), "/files/a/b%20c", "DELETE")
    assert greedy.path_parameters == {"key": "a/b c"} and greedy.integration.timeout_ms == 500


def test_unknown_path_has_no_route():
    assert routes.match(table(), "/nope", "POST") is None
    assert routes.match(table(), "/webhook", "POST") is None


def test_parameter_names_with_dashes_survive():
    found = routes.match(routes.build_routes([{"path": "/a/{event-id}", "methods": {"GET": None}}]), "/a/x", "GET")
    assert found.path_parameters == {"event-id": "x"}
