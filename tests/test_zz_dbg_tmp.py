from tests.test_security_enumeration import *  # noqa
from tests.test_security_enumeration import _callback_bodies, _call, _routes

def test_dbg(app_module, analyst):
    for key, body in _callback_bodies(app_module):
        a = _call(analyst, body)
        print("CB", a.status_code, key)
    print(_routes(app_module))
