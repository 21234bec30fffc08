"""The table process: moto's DynamoDB and DynamoDB Streams in a process of their own.

The pipeline's hottest calls are DynamoDB writes. In one process they compete for one
interpreter lock with the API Gateway data plane, the Lambda runtime and every other service;
in their own process they run on the other core. Functions call it directly (the runtime sets
AWS_ENDPOINT_URL_DYNAMODB), the main server forwards everyone else's DynamoDB calls to it, and
stream pollers read its shards through a few internal endpoints.
"""
