"""The local cloud: moto's backends in-process, plus the behaviour moto lacks (Lambda execution, API Gateway data plane, throttling, WAF)."""
