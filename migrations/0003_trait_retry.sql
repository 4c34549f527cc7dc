ALTER TABLE `traits` ADD `unavailable_since` integer;--> statement-breakpoint
ALTER TABLE `traits` ADD `retry_at` integer;