"""The grader service: an HTTP API and small web pages where students submit notebooks, and
workers that grade them from a durable queue (one command: `autograder serve`)."""
