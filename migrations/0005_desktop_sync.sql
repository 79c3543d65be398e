CREATE TABLE "sync_conflicts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"kind" text NOT NULL,
	"local_doc" jsonb,
	"remote_doc" jsonb,
	"remote_version" integer NOT NULL,
	"remote_member" text,
	"detected_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"resolution" text
);
--> statement-breakpoint
CREATE TABLE "sync_cursor" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"op" text NOT NULL,
	"base_version" integer,
	"doc" jsonb,
	"doc_hash" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_outbox_slug_uq" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "sync_presets" (
	"slug" text PRIMARY KEY NOT NULL,
	"remote_version" integer,
	"base_hash" text,
	"include_secrets" boolean DEFAULT false NOT NULL,
	"synced_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"url" text,
	"member" text NOT NULL,
	"metrics_scope" text DEFAULT 'shared' NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"member" text PRIMARY KEY NOT NULL,
	"version" text,
	"last_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_metrics_hourly" (
	"member" text NOT NULL,
	"preset_slug" text NOT NULL,
	"server_name" text NOT NULL,
	"tool_name" text NOT NULL,
	"event_type" text NOT NULL,
	"hour" timestamp (3) with time zone NOT NULL,
	"calls" bigint NOT NULL,
	"ok" bigint NOT NULL,
	"errors" bigint NOT NULL,
	"timeouts" bigint NOT NULL,
	"rejected" bigint NOT NULL,
	"latency_sum" double precision NOT NULL,
	"latency_min" double precision,
	"latency_max" double precision,
	"histogram" "bytea" NOT NULL,
	"pushed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_metrics_hourly_pk" PRIMARY KEY("member","preset_slug","server_name","tool_name","event_type","hour")
);
--> statement-breakpoint
CREATE TABLE "team_preset_revisions" (
	"slug" text NOT NULL,
	"version" integer NOT NULL,
	"doc" jsonb,
	"deleted" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_preset_revisions_pk" PRIMARY KEY("slug","version")
);
--> statement-breakpoint
CREATE TABLE "team_presets" (
	"slug" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"doc" jsonb,
	"deleted" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"seq" bigserial NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sync_conflicts_open_idx" ON "sync_conflicts" USING btree ("slug") WHERE "sync_conflicts"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "team_metrics_hourly_hour_idx" ON "team_metrics_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "team_presets_seq_idx" ON "team_presets" USING btree ("seq");