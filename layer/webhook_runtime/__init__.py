"""What every webhook Lambda handler needs: JSON logs, lazy X-Ray, boto3 clients, timestamps."""
