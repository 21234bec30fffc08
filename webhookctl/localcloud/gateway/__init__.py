"""The API Gateway REST API data plane: routing, proxy events, stage throttling and WAF."""
