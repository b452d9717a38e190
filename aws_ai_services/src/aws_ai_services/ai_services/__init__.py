"""AWS AI services through boto3: Rekognition, Comprehend, Polly and Lex V2, plus the portable capabilities.

Every class talks to the official boto3 clients from :func:`aws_ai_services.session.aws_client`: in local
mode the AWS AI emulator answers (computed by the on-prem engines), in cloud mode AWS itself.
"""
