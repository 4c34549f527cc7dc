PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_rate_windows` (
	`account_id` text NOT NULL,
	`window` integer NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `window`)
);
--> statement-breakpoint
-- Rate windows were per API key; now per account: each account's keys' windows, summed.
INSERT INTO `__new_rate_windows`("account_id", "window", "requests", "tokens") SELECT `api_keys`.`account_id`, `rate_windows`.`window`, sum(`rate_windows`.`requests`), sum(`rate_windows`.`tokens`) FROM `rate_windows` JOIN `api_keys` ON `api_keys`.`id` = `rate_windows`.`key_id` GROUP BY 1, 2;--> statement-breakpoint
DROP TABLE `rate_windows`;--> statement-breakpoint
ALTER TABLE `__new_rate_windows` RENAME TO `rate_windows`;--> statement-breakpoint
PRAGMA foreign_keys=ON;