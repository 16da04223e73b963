-- Every index of a table is written with each of its rows, and D1 bills those writes as rows
-- written: these two served only admin reads that the primary key and api_calls_created answer
-- (a run's calls are a key range of their ids; a sender's usage is read within a period).
DROP INDEX `api_calls_sender`;--> statement-breakpoint
DROP INDEX `api_calls_run`;
