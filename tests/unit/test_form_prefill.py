"""What task forms put in their fields before the user types."""
from forms.joint_punishment import merged_bases


def test_the_notices_legal_basis_names_each_provision_once():
    # The trigger usually repeats its catalog entry's basis: the notice, the decision and the portal said it twice.
    assert merged_bases("《企业信息公示暂行条例》第十八条", "《企业信息公示暂行条例》第十八条；《严重违法失信企业名单管理暂行办法》") == \
        "《企业信息公示暂行条例》第十八条；《严重违法失信企业名单管理暂行办法》"
    assert merged_bases("甲条例第一条\n乙办法第二条。", None, "乙办法第二条;丙规定") == "甲条例第一条；乙办法第二条；丙规定"
    assert merged_bases(None, "") == ""
