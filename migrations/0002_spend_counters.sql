CREATE TABLE `spend_daily` (
	`day` integer NOT NULL,
	`scope` text NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `scope`)
);
--> statement-breakpoint
-- Every model call adds itself to the day's totals of the account and of its sender, whoever
-- wrote it; an insert ignored as a duplicate adds nothing. The triggers are written by hand:
-- drizzle-kit does not model them, and generating further migrations leaves this file as it is.
CREATE TRIGGER `api_calls_spend` AFTER INSERT ON `api_calls`
BEGIN
	INSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)
	VALUES
		(NEW.`created_at` - NEW.`created_at` % 86400000, 'account', NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`),
		(NEW.`created_at` - NEW.`created_at` % 86400000, NEW.`channel_id` || ':' || NEW.`sender_id`, NEW.`input_tokens` + NEW.`cache_write_tokens` + NEW.`output_tokens`, NEW.`cost_usd`)
	ON CONFLICT (`day`, `scope`) DO UPDATE SET `tokens` = `tokens` + excluded.`tokens`, `cost_usd` = `cost_usd` + excluded.`cost_usd`;
END;
--> statement-breakpoint
-- A call deleted (or corrected) leaves the totals as if it had been written that way.
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
--> statement-breakpoint
-- The totals of the calls recorded before the counters existed.
INSERT INTO `spend_daily` (`day`, `scope`, `tokens`, `cost_usd`)
SELECT `created_at` - `created_at` % 86400000, 'account', SUM(`input_tokens` + `cache_write_tokens` + `output_tokens`), SUM(`cost_usd`)
FROM `api_calls` GROUP BY 1
UNION ALL
SELECT `created_at` - `created_at` % 86400000, `channel_id` || ':' || `sender_id`, SUM(`input_tokens` + `cache_write_tokens` + `output_tokens`), SUM(`cost_usd`)
FROM `api_calls` GROUP BY 1, 2;
