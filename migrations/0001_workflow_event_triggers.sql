-- Every change of a studio workflow's task becomes a row of workflow_events in the same transaction
-- as the change (see worker/db/schema/studio.ts `workflowEvents`). Triggers catch every writer:
-- the engine, claims, webhooks, the cron and the renderer's callbacks.
CREATE TRIGGER tasks_workflow_insert AFTER INSERT ON tasks
WHEN NEW.workflow_id IS NOT NULL
BEGIN
  INSERT INTO workflow_events (workflow_id, task_id, step, parent_task_id, item_ref, task_type, old_status, new_status, error_message, at)
  VALUES (NEW.workflow_id, NEW.id, NEW.step, NEW.parent_task_id, NEW.item_ref, NEW.task_type, NULL, NEW.status, NEW.error_message, NEW.updated_at);
END;
--> statement-breakpoint
CREATE TRIGGER tasks_workflow_status AFTER UPDATE OF status ON tasks
WHEN NEW.workflow_id IS NOT NULL AND OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO workflow_events (workflow_id, task_id, step, parent_task_id, item_ref, task_type, old_status, new_status, error_message, at)
  VALUES (NEW.workflow_id, NEW.id, NEW.step, NEW.parent_task_id, NEW.item_ref, NEW.task_type, OLD.status, NEW.status, NEW.error_message, NEW.updated_at);
END;
