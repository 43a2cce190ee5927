"""What every figure of the report shares: the colour of each method, in the order methods are drawn."""

COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]
