-- The nbgrader gradebook lives in its own database beside the service's: nbgrader decides
-- whether a database is new by whether it has any table, so it must not share one.
CREATE DATABASE gradebook;
