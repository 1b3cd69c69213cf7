"""The create-pool wizard's forms: one server-validated form (or formset) per step, and the wizard's state.

    base.py        WizardContext, the StepForm every step's form builds on, showing a draft without errors
    basics.py      step 1: connection, display name, workspace, node prefix, labels
    pool_type.py   step 2: pool type and job types
    resources.py   step 3: the flavor rows (a formset) and adding or removing a row of a draft
    network.py     step 4: network, job flavors, driver versions
    billing.py     step 5: pay-per-use or a subscription, and the notes on its order
    review.py      step 6: the reason for the request
    steps.py       the steps in order, the form of each, validating the saved steps one after the other
    state.py       the wizards kept in the browser's session (drafts, size cap)
    messages.py    every text the wizard shows

The vocabulary of a pool comes from pools.change_kinds.pool_body (types, scopes, billing codes, update
strategies) and pools.modelarts.vocabulary (the display-name rule, label keys): the wizard has no copies of its
own.
"""
