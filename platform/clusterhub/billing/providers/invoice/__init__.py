"""Invoice by bank transfer (счёт на оплату): the way a Russian legal entity pays.

The center keeps its requisites; an invoice gets a gapless number per year; the platform admin records
the payment from the bank statement, which activates or extends the subscription; a closing act (акт) is
issued for every paid period.
"""
