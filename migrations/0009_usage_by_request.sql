ALTER TABLE `usage` RENAME COLUMN "id" TO "request_id";--> statement-breakpoint
DROP TABLE `rate_windows`;--> statement-breakpoint
CREATE INDEX `usage_account_created` ON `usage` (`account_id`,`created_at`,`request_id`);