"""Infrastructure lessons: CloudFormation stacks, cost optimisation and security for the AI stack."""
