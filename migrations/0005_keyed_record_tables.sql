-- D1 bills every b-tree entry a statement writes as a row written. A table keyed by TEXT keeps
-- its rows in a rowid b-tree and its primary key in a second one (sqlite_autoindex_*), so each
-- insert wrote one row more than it stores, and an upsert's conflict check read a row. The
-- tables every message writes (and channels, read by key on every webhook) are rebuilt
-- WITHOUT ROWID: the primary key is the table, and an insert writes the row plus its indexes.
-- Every row is copied. events also drops events_at: the feed and the API page by the id,
-- which is time-ordered, and the approvals list bounds its read by the id as well.
-- Written by hand (drizzle-kit does not model WITHOUT ROWID or triggers); meta/0005_snapshot.json
-- holds the schema without the dropped index, as drizzle-kit would.
CREATE TABLE `__new_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`policy` text NOT NULL,
	`allowlist` text DEFAULT '[]' NOT NULL,
	`rate_limit_per_minute` integer,
	`agent` text,
	`config` text NOT NULL,
	`status` text DEFAULT 'ok' NOT NULL,
	`last_error` text,
	`status_detail` text,
	`last_message_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_channels` (`id`, `type`, `name`, `policy`, `allowlist`, `rate_limit_per_minute`, `agent`, `config`, `status`, `last_error`, `status_detail`, `last_message_at`, `created_at`, `updated_at`)
SELECT `id`, `type`, `name`, `policy`, `allowlist`, `rate_limit_per_minute`, `agent`, `config`, `status`, `last_error`, `status_detail`, `last_message_at`, `created_at`, `updated_at` FROM `channels`;
--> statement-breakpoint
DROP TABLE `channels`;
--> statement-breakpoint
ALTER TABLE `__new_channels` RENAME TO `channels`;
--> statement-breakpoint
CREATE TABLE `__new_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`channel_id` text,
	`sender_id` text,
	`detail` text DEFAULT '{}' NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_events` (`id`, `at`, `kind`, `channel_id`, `sender_id`, `detail`)
SELECT `id`, `at`, `kind`, `channel_id`, `sender_id`, `detail` FROM `events`;
--> statement-breakpoint
DROP TABLE `events`;
--> statement-breakpoint
ALTER TABLE `__new_events` RENAME TO `events`;
--> statement-breakpoint
CREATE TABLE `__new_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`conversation_id` text,
	`direction` text NOT NULL,
	`platform_message_id` text,
	`text` text NOT NULL,
	`outcome` text NOT NULL,
	`run_id` text,
	`created_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_messages` (`id`, `channel_id`, `sender_id`, `conversation_id`, `direction`, `platform_message_id`, `text`, `outcome`, `run_id`, `created_at`)
SELECT `id`, `channel_id`, `sender_id`, `conversation_id`, `direction`, `platform_message_id`, `text`, `outcome`, `run_id`, `created_at` FROM `messages`;
--> statement-breakpoint
DROP TABLE `messages`;
--> statement-breakpoint
ALTER TABLE `__new_messages` RENAME TO `messages`;
--> statement-breakpoint
CREATE INDEX `messages_channel_sender` ON `messages` (`channel_id`,`sender_id`,`created_at`);
--> statement-breakpoint
CREATE INDEX `messages_created` ON `messages` (`created_at`);
--> statement-breakpoint
CREATE TABLE `__new_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`session_id` text NOT NULL,
	`message_id` text NOT NULL,
	`status` text NOT NULL,
	`model` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`error` text,
	`delivery_status` text NOT NULL,
	`delivery_attempts` integer DEFAULT 0 NOT NULL,
	`delivery_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_runs` (`id`, `channel_id`, `sender_id`, `session_id`, `message_id`, `status`, `model`, `input_tokens`, `output_tokens`, `cost_usd`, `latency_ms`, `error`, `delivery_status`, `delivery_attempts`, `delivery_error`, `created_at`, `delivered_at`)
SELECT `id`, `channel_id`, `sender_id`, `session_id`, `message_id`, `status`, `model`, `input_tokens`, `output_tokens`, `cost_usd`, `latency_ms`, `error`, `delivery_status`, `delivery_attempts`, `delivery_error`, `created_at`, `delivered_at` FROM `runs`;
--> statement-breakpoint
DROP TABLE `runs`;
--> statement-breakpoint
ALTER TABLE `__new_runs` RENAME TO `runs`;
--> statement-breakpoint
CREATE INDEX `runs_created` ON `runs` (`created_at`);
--> statement-breakpoint
CREATE TABLE `__new_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`sender_name` text,
	`status` text NOT NULL,
	`message_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_sessions` (`id`, `channel_id`, `sender_id`, `sender_name`, `status`, `message_count`, `created_at`, `last_activity_at`)
SELECT `id`, `channel_id`, `sender_id`, `sender_name`, `status`, `message_count`, `created_at`, `last_activity_at` FROM `sessions`;
--> statement-breakpoint
DROP TABLE `sessions`;
--> statement-breakpoint
ALTER TABLE `__new_sessions` RENAME TO `sessions`;
--> statement-breakpoint
CREATE INDEX `sessions_activity` ON `sessions` (`status`,`last_activity_at`);
--> statement-breakpoint
-- The spend triggers go with api_calls' old table; they are dropped first so that the copy
-- neither adds nor subtracts anything, and created again on the new table.
DROP TRIGGER `api_calls_spend`;
--> statement-breakpoint
DROP TRIGGER `api_calls_spend_delete`;
--> statement-breakpoint
DROP TRIGGER `api_calls_spend_update`;
--> statement-breakpoint
CREATE TABLE `__new_api_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`session_id` text NOT NULL,
	`run_id` text NOT NULL,
	`purpose` text NOT NULL,
	`mode` text NOT NULL,
	`model` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`stop_reason` text,
	`status` text NOT NULL,
	`error` text,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`cache_savings_usd` real DEFAULT 0 NOT NULL,
	`web_search_requests` integer DEFAULT 0 NOT NULL,
	`web_fetch_requests` integer DEFAULT 0 NOT NULL,
	`code_execution_requests` integer DEFAULT 0 NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_api_calls` (`id`, `created_at`, `channel_id`, `sender_id`, `session_id`, `run_id`, `purpose`, `mode`, `model`, `input_tokens`, `output_tokens`, `cache_write_tokens`, `cache_read_tokens`, `latency_ms`, `stop_reason`, `status`, `error`, `cost_usd`, `cache_savings_usd`, `web_search_requests`, `web_fetch_requests`, `code_execution_requests`)
SELECT `id`, `created_at`, `channel_id`, `sender_id`, `session_id`, `run_id`, `purpose`, `mode`, `model`, `input_tokens`, `output_tokens`, `cache_write_tokens`, `cache_read_tokens`, `latency_ms`, `stop_reason`, `status`, `error`, `cost_usd`, `cache_savings_usd`, `web_search_requests`, `web_fetch_requests`, `code_execution_requests` FROM `api_calls`;
--> statement-breakpoint
DROP TABLE `api_calls`;
--> statement-breakpoint
ALTER TABLE `__new_api_calls` RENAME TO `api_calls`;
--> statement-breakpoint
CREATE INDEX `api_calls_created` ON `api_calls` (`created_at`);
--> statement-breakpoint
CREATE TABLE `__new_spend_daily` (
	`day` integer NOT NULL,
	`scope` text NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `scope`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)
SELECT `day`, `scope`, `tokens`, `cost_usd` FROM `spend_daily`;
--> statement-breakpoint
DROP TABLE `spend_daily`;
--> statement-breakpoint
ALTER TABLE `__new_spend_daily` RENAME TO `spend_daily`;
--> statement-breakpoint
CREATE TRIGGER `api_calls_spend` AFTER INSERT ON `api_calls`
BEGIN
	INSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)
	VALUES
		(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),
		(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)
	ON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;
END;
--> statement-breakpoint
CREATE TRIGGER `api_calls_spend_delete` AFTER DELETE ON `api_calls`
BEGIN
	UPDATE `spend_daily`
	SET `tokens` = `tokens` - (OLD.`input_tokens` + OLD.`cache_write_tokens` + OLD.`output_tokens`), `cost_usd` = `cost_usd` - OLD.`cost_usd`
	WHERE `day` = OLD.`created_at` - OLD.`created_at` % 86400000 AND `scope` IN ('account', OLD.`channel_id` || ':' || OLD.`sender_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `api_calls_spend_update` AFTER UPDATE OF `created_at`, `channel_id`, `sender_id`, `input_tokens`, `cache_write_tokens`, `output_tokens`, `cost_usd` ON `api_calls`
BEGIN
	UPDATE `spend_daily`
	SET `tokens` = `tokens` - (OLD.`input_tokens` + OLD.`cache_write_tokens` + OLD.`output_tokens`), `cost_usd` = `cost_usd` - OLD.`cost_usd`
	WHERE `day` = OLD.`created_at` - OLD.`created_at` % 86400000 AND `scope` IN ('account', OLD.`channel_id` || ':' || OLD.`sender_id`);
	INSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)
	VALUES
		(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),
		(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)
	ON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;
END;
