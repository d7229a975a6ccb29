//! Profile resolution: extends, select, refine-value, refine-rule, set-value, tailoring.
