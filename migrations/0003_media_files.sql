CREATE TABLE `media_files` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`message_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`media_type` text NOT NULL,
	`name` text,
	`size_bytes` integer DEFAULT 0 NOT NULL,
	`r2_key` text,
	`transcript` text,
	`transcription_seconds` real DEFAULT 0 NOT NULL,
	`transcription_cost_usd` real DEFAULT 0 NOT NULL,
	`error` text,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE INDEX `media_files_message` ON `media_files` (`message_id`);--> statement-breakpoint
CREATE INDEX `media_files_created` ON `media_files` (`created_at`);