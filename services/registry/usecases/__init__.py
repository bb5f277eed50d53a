"""Application services: each loads through a store, calls a decision and saves it; the outcome of a
decision becomes a refusal here (``domain.refusals.Refused``), never inside the decision's callback."""
