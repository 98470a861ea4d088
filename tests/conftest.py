pytest_plugins = ["tests.dbfixtures", "tests.gatewayfixtures", "tests.logcapture"]
