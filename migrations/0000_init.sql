CREATE TABLE `api_calls` (
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
	`cache_savings_usd` real DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `api_calls_created` ON `api_calls` (`created_at`);--> statement-breakpoint
CREATE INDEX `api_calls_sender` ON `api_calls` (`channel_id`,`sender_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `api_calls_run` ON `api_calls` (`run_id`);--> statement-breakpoint
CREATE TABLE `auth_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auth_tokens_id_unique` ON `auth_tokens` (`id`);--> statement-breakpoint
CREATE TABLE `bridges` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`status` text DEFAULT 'never' NOT NULL,
	`last_error` text,
	`last_connected_at` integer,
	`last_seen_at` integer,
	`notify_channel_id` text,
	`notify_recipient` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bridges_token_hash_unique` ON `bridges` (`token_hash`);--> statement-breakpoint
CREATE TABLE `channels` (
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
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`channel_id` text,
	`sender_id` text,
	`detail` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_at` ON `events` (`at`);--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`scheduled_for` integer NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`started_at` integer,
	`finished_at` integer,
	`output` text,
	`step_outputs` text,
	`error` text,
	`model` text,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`delivered` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_runs_due` ON `job_runs` (`job_id`,`scheduled_for`);--> statement-breakpoint
CREATE INDEX `job_runs_pending` ON `job_runs` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`steps` text NOT NULL,
	`deliver_to` text,
	`owner_channel_id` text,
	`owner_sender_id` text,
	`catch_up` text DEFAULT 'skip' NOT NULL,
	`retry_attempts` integer DEFAULT 1 NOT NULL,
	`retry_backoff_ms` integer DEFAULT 60000 NOT NULL,
	`status` text NOT NULL,
	`next_run_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_due` ON `jobs` (`status`,`next_run_at`);--> statement-breakpoint
CREATE INDEX `jobs_owner` ON `jobs` (`owner_channel_id`,`owner_sender_id`,`status`);--> statement-breakpoint
CREATE TABLE `loop_iterations` (
	`task_id` integer NOT NULL,
	`iteration` integer NOT NULL,
	`status` text NOT NULL,
	`output` text NOT NULL,
	`error` text,
	`progress` integer NOT NULL,
	`model` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	PRIMARY KEY(`task_id`, `iteration`)
);
--> statement-breakpoint
CREATE TABLE `loop_tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`prompt` text NOT NULL,
	`max_iterations` integer NOT NULL,
	`completion_promise` text NOT NULL,
	`cost_cap_usd` real,
	`no_progress_limit` integer NOT NULL,
	`notify` text,
	`status` text NOT NULL,
	`stop_reason` text,
	`iterations` integer DEFAULT 0 NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `loop_tasks_status` ON `loop_tasks` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `messages` (
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
);
--> statement-breakpoint
CREATE INDEX `messages_channel_sender` ON `messages` (`channel_id`,`sender_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_created` ON `messages` (`created_at`);--> statement-breakpoint
CREATE TABLE `pairings` (
	`code` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`channel_id` text,
	`sender_id` text,
	`sender_name` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `pairings_status` ON `pairings` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `runs` (
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
);
--> statement-breakpoint
CREATE INDEX `runs_created` ON `runs` (`created_at`);--> statement-breakpoint
CREATE TABLE `senders` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`name` text,
	`status` text NOT NULL,
	`paired_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `senders_channel_sender` ON `senders` (`channel_id`,`sender_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`sender_name` text,
	`status` text NOT NULL,
	`message_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_activity` ON `sessions` (`status`,`last_activity_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);