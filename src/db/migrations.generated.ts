// Generated from migrations/*.sql by scripts/gen-migrations.mjs; edit the migrations, not this file.
export const MIGRATIONS: { name: string; queries: string[] }[] = [
  {
    "name": "0000_init.sql",
    "queries": [
      "CREATE TABLE `api_calls` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`created_at` integer NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`session_id` text NOT NULL,\n\t`run_id` text NOT NULL,\n\t`purpose` text NOT NULL,\n\t`mode` text NOT NULL,\n\t`model` text NOT NULL,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cache_write_tokens` integer DEFAULT 0 NOT NULL,\n\t`cache_read_tokens` integer DEFAULT 0 NOT NULL,\n\t`latency_ms` integer DEFAULT 0 NOT NULL,\n\t`stop_reason` text,\n\t`status` text NOT NULL,\n\t`error` text,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`cache_savings_usd` real DEFAULT 0 NOT NULL\n);",
      "CREATE INDEX `api_calls_created` ON `api_calls` (`created_at`);",
      "CREATE INDEX `api_calls_sender` ON `api_calls` (`channel_id`,`sender_id`,`created_at`);",
      "CREATE INDEX `api_calls_run` ON `api_calls` (`run_id`);",
      "CREATE TABLE `auth_tokens` (\n\t`token_hash` text PRIMARY KEY NOT NULL,\n\t`id` text NOT NULL,\n\t`user_id` integer NOT NULL,\n\t`kind` text NOT NULL,\n\t`name` text,\n\t`created_at` integer NOT NULL,\n\t`expires_at` integer,\n\t`last_used_at` integer,\n\tFOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade\n);",
      "CREATE UNIQUE INDEX `auth_tokens_id_unique` ON `auth_tokens` (`id`);",
      "CREATE TABLE `bridges` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`name` text NOT NULL,\n\t`token_hash` text NOT NULL,\n\t`status` text DEFAULT 'never' NOT NULL,\n\t`last_error` text,\n\t`last_connected_at` integer,\n\t`last_seen_at` integer,\n\t`notify_channel_id` text,\n\t`notify_recipient` text,\n\t`created_at` integer NOT NULL\n);",
      "CREATE UNIQUE INDEX `bridges_token_hash_unique` ON `bridges` (`token_hash`);",
      "CREATE TABLE `channels` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`type` text NOT NULL,\n\t`name` text NOT NULL,\n\t`policy` text NOT NULL,\n\t`allowlist` text DEFAULT '[]' NOT NULL,\n\t`rate_limit_per_minute` integer,\n\t`agent` text,\n\t`config` text NOT NULL,\n\t`status` text DEFAULT 'ok' NOT NULL,\n\t`last_error` text,\n\t`status_detail` text,\n\t`last_message_at` integer,\n\t`created_at` integer NOT NULL,\n\t`updated_at` integer NOT NULL\n);",
      "CREATE TABLE `events` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`at` integer NOT NULL,\n\t`kind` text NOT NULL,\n\t`channel_id` text,\n\t`sender_id` text,\n\t`detail` text DEFAULT '{}' NOT NULL\n);",
      "CREATE INDEX `events_at` ON `events` (`at`);",
      "CREATE TABLE `job_runs` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`job_id` text NOT NULL,\n\t`scheduled_for` integer NOT NULL,\n\t`trigger` text NOT NULL,\n\t`status` text NOT NULL,\n\t`attempts` integer DEFAULT 0 NOT NULL,\n\t`next_attempt_at` integer,\n\t`started_at` integer,\n\t`finished_at` integer,\n\t`output` text,\n\t`step_outputs` text,\n\t`error` text,\n\t`model` text,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`delivered` integer DEFAULT false NOT NULL,\n\t`created_at` integer NOT NULL\n);",
      "CREATE UNIQUE INDEX `job_runs_due` ON `job_runs` (`job_id`,`scheduled_for`);",
      "CREATE INDEX `job_runs_pending` ON `job_runs` (`status`,`next_attempt_at`);",
      "CREATE TABLE `jobs` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`name` text NOT NULL,\n\t`cron` text NOT NULL,\n\t`timezone` text DEFAULT 'UTC' NOT NULL,\n\t`steps` text NOT NULL,\n\t`deliver_to` text,\n\t`owner_channel_id` text,\n\t`owner_sender_id` text,\n\t`catch_up` text DEFAULT 'skip' NOT NULL,\n\t`retry_attempts` integer DEFAULT 1 NOT NULL,\n\t`retry_backoff_ms` integer DEFAULT 60000 NOT NULL,\n\t`status` text NOT NULL,\n\t`next_run_at` integer,\n\t`created_at` integer NOT NULL,\n\t`updated_at` integer NOT NULL\n);",
      "CREATE INDEX `jobs_due` ON `jobs` (`status`,`next_run_at`);",
      "CREATE INDEX `jobs_owner` ON `jobs` (`owner_channel_id`,`owner_sender_id`,`status`);",
      "CREATE TABLE `loop_iterations` (\n\t`task_id` integer NOT NULL,\n\t`iteration` integer NOT NULL,\n\t`status` text NOT NULL,\n\t`output` text NOT NULL,\n\t`error` text,\n\t`progress` integer NOT NULL,\n\t`model` text NOT NULL,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`latency_ms` integer DEFAULT 0 NOT NULL,\n\t`started_at` integer NOT NULL,\n\t`finished_at` integer NOT NULL,\n\tPRIMARY KEY(`task_id`, `iteration`)\n);",
      "CREATE TABLE `loop_tasks` (\n\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n\t`name` text NOT NULL,\n\t`prompt` text NOT NULL,\n\t`max_iterations` integer NOT NULL,\n\t`completion_promise` text NOT NULL,\n\t`cost_cap_usd` real,\n\t`no_progress_limit` integer NOT NULL,\n\t`notify` text,\n\t`status` text NOT NULL,\n\t`stop_reason` text,\n\t`iterations` integer DEFAULT 0 NOT NULL,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`last_error` text,\n\t`created_at` integer NOT NULL,\n\t`started_at` integer NOT NULL,\n\t`updated_at` integer NOT NULL,\n\t`finished_at` integer\n);",
      "CREATE INDEX `loop_tasks_status` ON `loop_tasks` (`status`,`updated_at`);",
      "CREATE TABLE `messages` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`conversation_id` text,\n\t`direction` text NOT NULL,\n\t`platform_message_id` text,\n\t`text` text NOT NULL,\n\t`outcome` text NOT NULL,\n\t`run_id` text,\n\t`created_at` integer NOT NULL\n);",
      "CREATE INDEX `messages_channel_sender` ON `messages` (`channel_id`,`sender_id`,`created_at`);",
      "CREATE INDEX `messages_created` ON `messages` (`created_at`);",
      "CREATE TABLE `pairings` (\n\t`code` text PRIMARY KEY NOT NULL,\n\t`kind` text NOT NULL,\n\t`channel_id` text,\n\t`sender_id` text,\n\t`sender_name` text,\n\t`status` text NOT NULL,\n\t`created_at` integer NOT NULL,\n\t`expires_at` integer NOT NULL,\n\t`decided_at` integer\n);",
      "CREATE INDEX `pairings_status` ON `pairings` (`status`,`created_at`);",
      "CREATE TABLE `runs` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`session_id` text NOT NULL,\n\t`message_id` text NOT NULL,\n\t`status` text NOT NULL,\n\t`model` text NOT NULL,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`latency_ms` integer DEFAULT 0 NOT NULL,\n\t`error` text,\n\t`delivery_status` text NOT NULL,\n\t`delivery_attempts` integer DEFAULT 0 NOT NULL,\n\t`delivery_error` text,\n\t`created_at` integer NOT NULL,\n\t`delivered_at` integer\n);",
      "CREATE INDEX `runs_created` ON `runs` (`created_at`);",
      "CREATE TABLE `senders` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`name` text,\n\t`status` text NOT NULL,\n\t`paired_at` integer,\n\t`created_at` integer NOT NULL\n);",
      "CREATE UNIQUE INDEX `senders_channel_sender` ON `senders` (`channel_id`,`sender_id`);",
      "CREATE TABLE `sessions` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`sender_name` text,\n\t`status` text NOT NULL,\n\t`message_count` integer DEFAULT 0 NOT NULL,\n\t`created_at` integer NOT NULL,\n\t`last_activity_at` integer NOT NULL\n);",
      "CREATE INDEX `sessions_activity` ON `sessions` (`status`,`last_activity_at`);",
      "CREATE TABLE `users` (\n\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n\t`username` text NOT NULL,\n\t`password_hash` text NOT NULL,\n\t`created_at` integer NOT NULL\n);",
      "CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);"
    ]
  },
  {
    "name": "0001_mcp_servers.sql",
    "queries": [
      "CREATE TABLE `mcp_servers` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`name` text NOT NULL,\n\t`url` text NOT NULL,\n\t`token` text,\n\t`allowed_tools` text,\n\t`created_at` integer NOT NULL,\n\t`updated_at` integer NOT NULL\n);",
      "CREATE UNIQUE INDEX `mcp_servers_name_unique` ON `mcp_servers` (`name`);",
      "ALTER TABLE `api_calls` ADD `web_search_requests` integer DEFAULT 0 NOT NULL;",
      "ALTER TABLE `api_calls` ADD `web_fetch_requests` integer DEFAULT 0 NOT NULL;",
      "ALTER TABLE `api_calls` ADD `code_execution_requests` integer DEFAULT 0 NOT NULL;",
      "ALTER TABLE `loop_tasks` ADD `server_tools` text;"
    ]
  },
  {
    "name": "0002_spend_counters.sql",
    "queries": [
      "CREATE TABLE `spend_daily` (\n\t`day` integer NOT NULL,\n\t`scope` text NOT NULL,\n\t`tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\tPRIMARY KEY(`day`, `scope`)\n);",
      "-- Every model call adds itself to the day's totals of the account and of its sender, whoever\n-- wrote it; an insert ignored as a duplicate adds nothing. The triggers are written by hand:\n-- drizzle-kit does not model them, and generating further migrations leaves this file as it is.\nCREATE TRIGGER `api_calls_spend` AFTER INSERT ON `api_calls`\nBEGIN\n\tINSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)\n\tVALUES\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)\n\tON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;\nEND;",
      "-- A call deleted (or corrected) leaves the totals as if it had been written that way.\nCREATE TRIGGER `api_calls_spend_delete` AFTER DELETE ON `api_calls`\nBEGIN\n\tUPDATE `spend_daily`\n\tSET `tokens` = `tokens` - (OLD.`input_tokens` + OLD.`cache_write_tokens` + OLD.`output_tokens`), `cost_usd` = `cost_usd` - OLD.`cost_usd`\n\tWHERE `day` = OLD.`created_at` - OLD.`created_at` % 86400000 AND `scope` IN ('account', OLD.`channel_id` || ':' || OLD.`sender_id`);\nEND;",
      "CREATE TRIGGER `api_calls_spend_update` AFTER UPDATE OF `created_at`, `channel_id`, `sender_id`, `input_tokens`, `cache_write_tokens`, `output_tokens`, `cost_usd` ON `api_calls`\nBEGIN\n\tUPDATE `spend_daily`\n\tSET `tokens` = `tokens` - (OLD.`input_tokens` + OLD.`cache_write_tokens` + OLD.`output_tokens`), `cost_usd` = `cost_usd` - OLD.`cost_usd`\n\tWHERE `day` = OLD.`created_at` - OLD.`created_at` % 86400000 AND `scope` IN ('account', OLD.`channel_id` || ':' || OLD.`sender_id`);\n\tINSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)\n\tVALUES\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)\n\tON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;\nEND;",
      "-- The totals of the calls recorded before the counters existed.\nINSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)\nSELECT `created_at` - `created_at` % 86400000, 'account', SUM(`input_tokens` + `cache_write_tokens` + `output_tokens`), SUM(`cost_usd`)\nFROM `api_calls` GROUP BY 1\nUNION ALL\nSELECT `created_at` - `created_at` % 86400000, `channel_id` || ':' || `sender_id`, SUM(`input_tokens` + `cache_write_tokens` + `output_tokens`), SUM(`cost_usd`)\nFROM `api_calls` GROUP BY 1, 2;"
    ]
  },
  {
    "name": "0003_media_files.sql",
    "queries": [
      "CREATE TABLE `media_files` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`created_at` integer NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`message_id` text NOT NULL,\n\t`kind` text NOT NULL,\n\t`status` text NOT NULL,\n\t`media_type` text NOT NULL,\n\t`name` text,\n\t`size_bytes` integer DEFAULT 0 NOT NULL,\n\t`r2_key` text,\n\t`transcript` text,\n\t`transcription_seconds` real DEFAULT 0 NOT NULL,\n\t`transcription_cost_usd` real DEFAULT 0 NOT NULL,\n\t`error` text,\n\t`deleted_at` integer\n);",
      "CREATE INDEX `media_files_message` ON `media_files` (`message_id`);",
      "CREATE INDEX `media_files_created` ON `media_files` (`created_at`);"
    ]
  },
  {
    "name": "0004_lean_api_calls.sql",
    "queries": [
      "-- Every index of a table is written with each of its rows, and D1 bills those writes as rows\n-- written: these two served only admin reads that the primary key and api_calls_created answer\n-- (a run's calls are a key range of their ids; a sender's usage is read within a period).\nDROP INDEX `api_calls_sender`;",
      "DROP INDEX `api_calls_run`;"
    ]
  },
  {
    "name": "0005_keyed_record_tables.sql",
    "queries": [
      "-- D1 bills every b-tree entry a statement writes as a row written. A table keyed by TEXT keeps\n-- its rows in a rowid b-tree and its primary key in a second one (sqlite_autoindex_*), so each\n-- insert wrote one row more than it stores, and an upsert's conflict check read a row. The\n-- tables every message writes (and channels, read by key on every webhook) are rebuilt\n-- WITHOUT ROWID: the primary key is the table, and an insert writes the row plus its indexes.\n-- Every row is copied. events also drops events_at: the feed and the API page by the id,\n-- which is time-ordered, and the approvals list bounds its read by the id as well.\n-- Written by hand (drizzle-kit does not model WITHOUT ROWID or triggers); meta/0005_snapshot.json\n-- holds the schema without the dropped index, as drizzle-kit would.\nCREATE TABLE `__new_channels` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`type` text NOT NULL,\n\t`name` text NOT NULL,\n\t`policy` text NOT NULL,\n\t`allowlist` text DEFAULT '[]' NOT NULL,\n\t`rate_limit_per_minute` integer,\n\t`agent` text,\n\t`config` text NOT NULL,\n\t`status` text DEFAULT 'ok' NOT NULL,\n\t`last_error` text,\n\t`status_detail` text,\n\t`last_message_at` integer,\n\t`created_at` integer NOT NULL,\n\t`updated_at` integer NOT NULL\n) WITHOUT ROWID;",
      "INSERT INTO `__new_channels` (`id`, `type`, `name`, `policy`, `allowlist`, `rate_limit_per_minute`, `agent`, `config`, `status`, `last_error`, `status_detail`, `last_message_at`, `created_at`, `updated_at`)\nSELECT `id`, `type`, `name`, `policy`, `allowlist`, `rate_limit_per_minute`, `agent`, `config`, `status`, `last_error`, `status_detail`, `last_message_at`, `created_at`, `updated_at` FROM `channels`;",
      "DROP TABLE `channels`;",
      "ALTER TABLE `__new_channels` RENAME TO `channels`;",
      "CREATE TABLE `__new_events` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`at` integer NOT NULL,\n\t`kind` text NOT NULL,\n\t`channel_id` text,\n\t`sender_id` text,\n\t`detail` text DEFAULT '{}' NOT NULL\n) WITHOUT ROWID;",
      "INSERT INTO `__new_events` (`id`, `at`, `kind`, `channel_id`, `sender_id`, `detail`)\nSELECT `id`, `at`, `kind`, `channel_id`, `sender_id`, `detail` FROM `events`;",
      "DROP TABLE `events`;",
      "ALTER TABLE `__new_events` RENAME TO `events`;",
      "CREATE TABLE `__new_messages` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`conversation_id` text,\n\t`direction` text NOT NULL,\n\t`platform_message_id` text,\n\t`text` text NOT NULL,\n\t`outcome` text NOT NULL,\n\t`run_id` text,\n\t`created_at` integer NOT NULL\n) WITHOUT ROWID;",
      "INSERT INTO `__new_messages` (`id`, `channel_id`, `sender_id`, `conversation_id`, `direction`, `platform_message_id`, `text`, `outcome`, `run_id`, `created_at`)\nSELECT `id`, `channel_id`, `sender_id`, `conversation_id`, `direction`, `platform_message_id`, `text`, `outcome`, `run_id`, `created_at` FROM `messages`;",
      "DROP TABLE `messages`;",
      "ALTER TABLE `__new_messages` RENAME TO `messages`;",
      "CREATE INDEX `messages_channel_sender` ON `messages` (`channel_id`,`sender_id`,`created_at`);",
      "CREATE INDEX `messages_created` ON `messages` (`created_at`);",
      "CREATE TABLE `__new_runs` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`session_id` text NOT NULL,\n\t`message_id` text NOT NULL,\n\t`status` text NOT NULL,\n\t`model` text NOT NULL,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`latency_ms` integer DEFAULT 0 NOT NULL,\n\t`error` text,\n\t`delivery_status` text NOT NULL,\n\t`delivery_attempts` integer DEFAULT 0 NOT NULL,\n\t`delivery_error` text,\n\t`created_at` integer NOT NULL,\n\t`delivered_at` integer\n) WITHOUT ROWID;",
      "INSERT INTO `__new_runs` (`id`, `channel_id`, `sender_id`, `session_id`, `message_id`, `status`, `model`, `input_tokens`, `output_tokens`, `cost_usd`, `latency_ms`, `error`, `delivery_status`, `delivery_attempts`, `delivery_error`, `created_at`, `delivered_at`)\nSELECT `id`, `channel_id`, `sender_id`, `session_id`, `message_id`, `status`, `model`, `input_tokens`, `output_tokens`, `cost_usd`, `latency_ms`, `error`, `delivery_status`, `delivery_attempts`, `delivery_error`, `created_at`, `delivered_at` FROM `runs`;",
      "DROP TABLE `runs`;",
      "ALTER TABLE `__new_runs` RENAME TO `runs`;",
      "CREATE INDEX `runs_created` ON `runs` (`created_at`);",
      "CREATE TABLE `__new_sessions` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`sender_name` text,\n\t`status` text NOT NULL,\n\t`message_count` integer DEFAULT 0 NOT NULL,\n\t`created_at` integer NOT NULL,\n\t`last_activity_at` integer NOT NULL\n) WITHOUT ROWID;",
      "INSERT INTO `__new_sessions` (`id`, `channel_id`, `sender_id`, `sender_name`, `status`, `message_count`, `created_at`, `last_activity_at`)\nSELECT `id`, `channel_id`, `sender_id`, `sender_name`, `status`, `message_count`, `created_at`, `last_activity_at` FROM `sessions`;",
      "DROP TABLE `sessions`;",
      "ALTER TABLE `__new_sessions` RENAME TO `sessions`;",
      "CREATE INDEX `sessions_activity` ON `sessions` (`status`,`last_activity_at`);",
      "-- The spend triggers go with api_calls' old table; they are dropped first so that the copy\n-- neither adds nor subtracts anything, and created again on the new table.\nDROP TRIGGER `api_calls_spend`;",
      "DROP TRIGGER `api_calls_spend_delete`;",
      "DROP TRIGGER `api_calls_spend_update`;",
      "CREATE TABLE `__new_api_calls` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`created_at` integer NOT NULL,\n\t`channel_id` text NOT NULL,\n\t`sender_id` text NOT NULL,\n\t`session_id` text NOT NULL,\n\t`run_id` text NOT NULL,\n\t`purpose` text NOT NULL,\n\t`mode` text NOT NULL,\n\t`model` text NOT NULL,\n\t`input_tokens` integer DEFAULT 0 NOT NULL,\n\t`output_tokens` integer DEFAULT 0 NOT NULL,\n\t`cache_write_tokens` integer DEFAULT 0 NOT NULL,\n\t`cache_read_tokens` integer DEFAULT 0 NOT NULL,\n\t`latency_ms` integer DEFAULT 0 NOT NULL,\n\t`stop_reason` text,\n\t`status` text NOT NULL,\n\t`error` text,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\t`cache_savings_usd` real DEFAULT 0 NOT NULL,\n\t`web_search_requests` integer DEFAULT 0 NOT NULL,\n\t`web_fetch_requests` integer DEFAULT 0 NOT NULL,\n\t`code_execution_requests` integer DEFAULT 0 NOT NULL\n) WITHOUT ROWID;",
      "INSERT INTO `__new_api_calls` (`id`, `created_at`, `channel_id`, `sender_id`, `session_id`, `run_id`, `purpose`, `mode`, `model`, `input_tokens`, `output_tokens`, `cache_write_tokens`, `cache_read_tokens`, `latency_ms`, `stop_reason`, `status`, `error`, `cost_usd`, `cache_savings_usd`, `web_search_requests`, `web_fetch_requests`, `code_execution_requests`)\nSELECT `id`, `created_at`, `channel_id`, `sender_id`, `session_id`, `run_id`, `purpose`, `mode`, `model`, `input_tokens`, `output_tokens`, `cache_write_tokens`, `cache_read_tokens`, `latency_ms`, `stop_reason`, `status`, `error`, `cost_usd`, `cache_savings_usd`, `web_search_requests`, `web_fetch_requests`, `code_execution_requests` FROM `api_calls`;",
      "DROP TABLE `api_calls`;",
      "ALTER TABLE `__new_api_calls` RENAME TO `api_calls`;",
      "CREATE INDEX `api_calls_created` ON `api_calls` (`created_at`);",
      "CREATE TABLE `__new_spend_daily` (\n\t`day` integer NOT NULL,\n\t`scope` text NOT NULL,\n\t`tokens` integer DEFAULT 0 NOT NULL,\n\t`cost_usd` real DEFAULT 0 NOT NULL,\n\tPRIMARY KEY(`day`, `scope`)\n) WITHOUT ROWID;",
      "INSERT INTO `__new_spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)\nSELECT `day`, `scope`, `tokens`, `cost_usd` FROM `spend_daily`;",
      "DROP TABLE `spend_daily`;",
      "ALTER TABLE `__new_spend_daily` RENAME TO `spend_daily`;",
      "CREATE TRIGGER `api_calls_spend` AFTER INSERT ON `api_calls`\nBEGIN\n\tINSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)\n\tVALUES\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)\n\tON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;\nEND;",
      "CREATE TRIGGER `api_calls_spend_delete` AFTER DELETE ON `api_calls`\nBEGIN\n\tUPDATE `spend_daily`\n\tSET `tokens` = `tokens` - (OLD.`input_tokens` + OLD.`cache_write_tokens` + OLD.`output_tokens`), `cost_usd` = `cost_usd` - OLD.`cost_usd`\n\tWHERE `day` = OLD.`created_at` - OLD.`created_at` % 86400000 AND `scope` IN ('account', OLD.`channel_id` || ':' || OLD.`sender_id`);\nEND;",
      "CREATE TRIGGER `api_calls_spend_update` AFTER UPDATE OF `created_at`, `channel_id`, `sender_id`, `input_tokens`, `cache_write_tokens`, `output_tokens`, `cost_usd` ON `api_calls`\nBEGIN\n\tUPDATE `spend_daily`\n\tSET `tokens` = `tokens` - (OLD.`input_tokens` + OLD.`cache_write_tokens` + OLD.`output_tokens`), `cost_usd` = `cost_usd` - OLD.`cost_usd`\n\tWHERE `day` = OLD.`created_at` - OLD.`created_at` % 86400000 AND `scope` IN ('account', OLD.`channel_id` || ':' || OLD.`sender_id`);\n\tINSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)\n\tVALUES\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),\n\t\t(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)\n\tON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;\nEND;"
    ]
  }
];
