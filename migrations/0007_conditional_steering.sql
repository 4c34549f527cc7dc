ALTER TABLE `traits` ADD `condition` text;--> statement-breakpoint
ALTER TABLE `usage` ADD `steering_report` text;