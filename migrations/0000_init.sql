CREATE TABLE "access_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"principal" text NOT NULL,
	"preset_scope" jsonb,
	"hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "access_tokens_hash_uq" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "mcp_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"transport" text NOT NULL,
	"command" text,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"env" text NOT NULL,
	"cwd" text,
	"url" text,
	"headers" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"timeout_ms" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mcp_servers_owner_name_uq" UNIQUE("owner_id","name")
);
--> statement-breakpoint
CREATE TABLE "metrics_events" (
	"id" bigserial NOT NULL,
	"ts" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"preset_id" uuid,
	"server_id" uuid,
	"tool_name" text,
	"event_type" text NOT NULL,
	"status" text NOT NULL,
	"latency_ms" double precision NOT NULL,
	"error_message" text,
	"session_id" text,
	"metadata" jsonb,
	CONSTRAINT "metrics_events_pk" PRIMARY KEY("id","ts")
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
-- Hand-edited (drizzle cannot express partitions): monthly partitions are created by
-- ensure_metrics_partition() (0001); rows outside every month partition land here.
CREATE TABLE "metrics_events_default" PARTITION OF "metrics_events" DEFAULT;
--> statement-breakpoint
CREATE TABLE "metrics_hourly" (
	"preset_id" uuid,
	"server_id" uuid,
	"tool_name" text,
	"hour" timestamp (3) with time zone NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	"ok" bigint DEFAULT 0 NOT NULL,
	"errors" bigint DEFAULT 0 NOT NULL,
	"timeouts" bigint DEFAULT 0 NOT NULL,
	"latency_sum" double precision DEFAULT 0 NOT NULL,
	"latency_min" double precision,
	"latency_max" double precision,
	"histogram" bigint[] DEFAULT '{}'::bigint[] NOT NULL,
	CONSTRAINT "metrics_hourly_key_uq" UNIQUE NULLS NOT DISTINCT("preset_id","server_id","tool_name","hour")
);
--> statement-breakpoint
CREATE TABLE "preset_acl" (
	"preset_id" uuid NOT NULL,
	"principal_type" text NOT NULL,
	"principal_value" text NOT NULL,
	CONSTRAINT "preset_acl_uq" UNIQUE("preset_id","principal_type","principal_value")
);
--> statement-breakpoint
CREATE TABLE "preset_servers" (
	"preset_id" uuid NOT NULL,
	"server_id" uuid NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"allowed_tools" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tool_timeouts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tool_overrides" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prefix" text,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "preset_servers_preset_server_uq" UNIQUE("preset_id","server_id")
);
--> statement-breakpoint
CREATE TABLE "presets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"visibility" text DEFAULT 'private' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "presets_slug_uq" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "preset_acl" ADD CONSTRAINT "preset_acl_preset_id_presets_id_fk" FOREIGN KEY ("preset_id") REFERENCES "public"."presets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preset_servers" ADD CONSTRAINT "preset_servers_preset_id_presets_id_fk" FOREIGN KEY ("preset_id") REFERENCES "public"."presets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preset_servers" ADD CONSTRAINT "preset_servers_server_id_mcp_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."mcp_servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "metrics_events_preset_ts_idx" ON "metrics_events" USING btree ("preset_id","ts" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "metrics_events_tool_ts_idx" ON "metrics_events" USING btree ("tool_name","ts" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "metrics_events_ts_idx" ON "metrics_events" USING btree ("ts" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "metrics_hourly_hour_idx" ON "metrics_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "preset_servers_server_idx" ON "preset_servers" USING btree ("server_id");--> statement-breakpoint
CREATE INDEX "presets_owner_idx" ON "presets" USING btree ("owner_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "presets_listing_idx" ON "presets" USING btree ("visibility","status","created_at" DESC NULLS LAST,"id");