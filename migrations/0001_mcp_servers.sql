CREATE TABLE `mcp_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`token` text,
	`allowed_tools` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_servers_name_unique` ON `mcp_servers` (`name`);--> statement-breakpoint
ALTER TABLE `api_calls` ADD `web_search_requests` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `api_calls` ADD `web_fetch_requests` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `api_calls` ADD `code_execution_requests` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `loop_tasks` ADD `server_tools` text;