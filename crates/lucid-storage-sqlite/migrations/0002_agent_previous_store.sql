-- Whether an agent has a store to roll back to (the previous store itself may be "none").
ALTER TABLE agents ADD COLUMN has_previous INTEGER NOT NULL DEFAULT 0;
