"""What the demo's sellers and specialists write, in each seller's language (see seed.py).

Descriptions take the claim's fields as `str.format` placeholders. Staff-only texts (internal
notes, escalations to peer teams) are in English, the team's working language. What a specialist
writes to a seller ends with {specialist}, as the response templates do, and is signed by whoever
sends it (`signed`); never by a name written here.
"""

from __future__ import annotations

SIGNATURE = "{specialist}"


def signed(text: str, *, by: str) -> str:
    """A specialist's text with its signature: the name of the person who sends it."""
    return text.replace(SIGNATURE, by)


DESCRIPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "warehouse_lost": (
            "Our inventory ledger shows {quantity} units of {title} ({sku}) marked lost at {fc}, "
            "and they were never found or reimbursed. Please reimburse the lost units."
        ),
        "warehouse_damaged": (
            "{quantity} units of {title} ({sku}) were marked as damaged in the warehouse at "
            "{fc}. They were in perfect condition when we sent them in."
        ),
        "inbound_shortage": (
            "Shipment {shipment_id} was received {quantity} units short for {sku}. Our carrier's "
            "proof of delivery shows every carton arrived; the packing list is attached."
        ),
        "return_not_received": (
            "The buyer of order {order_id} was refunded for {title} more than 45 days ago, but "
            "the item was never returned to the fulfilment centre."
        ),
        "return_damaged": (
            "The customer return for order {order_id} ({title}) came back damaged and can no "
            "longer be sold. Photos of the unit are attached."
        ),
        "return_wrong_item": (
            "The return for order {order_id} is not our {title}: the buyer sent back a "
            "different, cheaper item. Photos attached."
        ),
        "carrier_damaged": (
            "Parcel {tracking_id} ({carrier}) arrived crushed; {quantity} units of {title} were "
            "destroyed in transit. Photos attached."
        ),
        "removal_lost": (
            "Removal order {removal_order_id} shipped {title} back to us, but {quantity} units "
            "never arrived at our warehouse."
        ),
        "fee_overcharge": (
            "The fulfilment fee for {sku} was charged on the wrong size tier. Our measurements "
            "(attached) put it in the standard-size tier; we were overcharged {amount} "
            "{currency}."
        ),
        "reimbursement_amount": (
            "Reimbursement {reimbursement_id} paid less than our cost for {title}. Our supplier "
            "invoice is attached; please pay the difference of {amount} {currency}."
        ),
        "payment_issue": (
            "Our disbursement {transaction_id} of {amount} {currency} never reached our bank "
            "account. The bank statement for the period is attached."
        ),
        "order_defect_appeal": (
            "Order {order_id} was fulfilled by your network, so the {defect} should not count "
            "against our account."
        ),
        "buyer_claim": (
            "Buyer claim {claim_id} on order {order_id} says the item never arrived, but "
            "{carrier} tracking {tracking_id} shows it was delivered. Please reverse the claim."
        ),
    },
    "zh-hans": {
        "warehouse_lost": (
            "库存记录显示 {title}（{sku}）有 {quantity} 件在运营中心 {fc} 被标记为丢失，"
            "至今既未找回也未获得赔偿，请予以赔偿。"
        ),
        "warehouse_damaged": (
            "{title}（{sku}）有 {quantity} 件在运营中心 {fc} 被标记为仓内损坏。"
            "我们发货时商品完好无损，请核实并赔偿。"
        ),
        "inbound_shortage": (
            "入库货件 {shipment_id} 中 {sku} 少收了 {quantity} 件。"
            "承运商签收证明显示所有箱子均已送达，装箱单已附上。"
        ),
        "return_not_received": (
            "订单 {order_id} 的买家已在 45 天前获得退款，但 {title} 一直没有退回运营中心。"
        ),
        "return_damaged": (
            "订单 {order_id} 的退货（{title}）退回时已损坏，无法再次销售。已附上商品照片。"
        ),
        "return_wrong_item": (
            "订单 {order_id} 退回的商品不是我们的 {title}，买家退回的是另一件更便宜的商品。"
            "照片已附上。"
        ),
        "carrier_damaged": (
            "包裹 {tracking_id}（{carrier}）送达时外箱严重挤压，{title} 有 {quantity} 件"
            "在运输途中损坏。已附照片。"
        ),
        "removal_lost": (
            "移除订单 {removal_order_id} 的 {title} 已发回，但我们的仓库少收了 {quantity} 件。"
        ),
        "fee_overcharge": (
            "{sku} 的配送费按错误的尺寸分段收取。我们的测量结果（见附件）属于标准尺寸，"
            "多收了 {amount} {currency}。"
        ),
        "reimbursement_amount": (
            "赔偿 {reimbursement_id} 低于 {title} 的采购成本。已附上供应商发票，"
            "请补足差额 {amount} {currency}。"
        ),
        "payment_issue": (
            "结算款 {transaction_id}（{amount} {currency}）至今未到达我们的银行账户，"
            "已附上该期间的银行对账单。"
        ),
        "order_defect_appeal": (
            "订单 {order_id} 由贵方配送网络履行，该{defect}不应计入我们的账户绩效。"
        ),
        "buyer_claim": (
            "买家索赔 {claim_id}（订单 {order_id}）称未收到商品，但 {carrier} 的物流单号 "
            "{tracking_id} 显示已妥投。请撤销该索赔。"
        ),
    },
    "ja": {
        "warehouse_lost": (
            "在庫記録では、{title}（{sku}）{quantity}点がフルフィルメントセンター {fc} で"
            "紛失扱いとなっており、その後の発見も補填もありません。補填をお願いします。"
        ),
        "warehouse_damaged": (
            "{title}（{sku}）{quantity}点が {fc} で倉庫内破損として処理されました。"
            "納品時は問題のない状態でした。ご確認ください。"
        ),
        "inbound_shortage": (
            "納品 {shipment_id} で {sku} が {quantity}点少なく受領されています。"
            "配送業者の受領証明ではすべての箱が届いています。納品書を添付します。"
        ),
        "return_not_received": (
            "注文 {order_id} の購入者には45日以上前に返金されていますが、{title} は"
            "フルフィルメントセンターに返送されていません。"
        ),
        "return_damaged": (
            "注文 {order_id} の返品（{title}）が破損した状態で戻り、再販できません。"
            "商品の写真を添付します。"
        ),
        "return_wrong_item": (
            "注文 {order_id} の返品は当店の {title} ではなく、別の安価な商品でした。"
            "写真を添付します。"
        ),
        "carrier_damaged": (
            "荷物 {tracking_id}（{carrier}）が潰れた状態で届き、{title} {quantity}点が"
            "輸送中に破損しました。写真を添付します。"
        ),
        "removal_lost": (
            "返送依頼 {removal_order_id} で {title} が返送されましたが、{quantity}点が"
            "当店の倉庫に届いていません。"
        ),
        "fee_overcharge": (
            "{sku} の配送代行手数料が誤ったサイズ区分で請求されています。添付の採寸結果では"
            "標準サイズです。{amount} {currency} の過請求です。"
        ),
        "reimbursement_amount": (
            "補填 {reimbursement_id} の金額が {title} の仕入原価を下回っています。"
            "仕入先の請求書を添付しますので、差額 {amount} {currency} をお支払いください。"
        ),
        "payment_issue": (
            "支払い {transaction_id}（{amount} {currency}）が当社の銀行口座に入金されていません。"
            "該当期間の入出金明細を添付します。"
        ),
        "order_defect_appeal": (
            "注文 {order_id} は貴社の配送ネットワークで出荷されたため、この{defect}は"
            "当店のアカウント評価から除外されるべきです。"
        ),
        "buyer_claim": (
            "購入者の申請 {claim_id}（注文 {order_id}）は商品未着とのことですが、{carrier} の"
            "追跡番号 {tracking_id} では配達完了となっています。申請の取り消しをお願いします。"
        ),
    },
}

DEFECT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "a_to_z": "A-to-z guarantee claim",
        "negative_feedback": "negative feedback",
        "late_shipment": "late shipment",
    },
    "zh-hans": {"a_to_z": "A-to-z 索赔", "negative_feedback": "差评", "late_shipment": "延迟发货"},
    "ja": {
        "a_to_z": "マーケットプレイス保証申請",
        "negative_feedback": "低評価",
        "late_shipment": "出荷遅延",
    },
}

TEXTS: dict[str, dict] = {
    "en": {
        "reply": (
            "Thank you for your patience. I am checking your claim against our inventory and "
            "shipment records and will update you shortly.\n\n{specialist}"
        ),
        "request": (
            "To continue the investigation, please send the supplier invoice or another proof of "
            "the unit cost, and confirm the quantity you are claiming.\n\n{specialist}"
        ),
        "answer": (
            "Hello, the invoice is attached to the case now. The quantity in the claim is correct."
        ),
        "appeal": (
            "We disagree with this decision. The records show the units were never found, and we "
            "have attached the original invoice. Please review the case again."
        ),
        "withdraw": (
            "The units turned up in a later inventory reconciliation; we no longer need this claim."
        ),
        "explain": {
            "approve": (
                "Our records confirm your claim. The reimbursement will appear in your next "
                "disbursement."
            ),
            "partial": (
                "Our records confirm part of your claim. We reimbursed what we could verify; the "
                "case explains the rest."
            ),
            "deny": (
                "After reviewing our records we cannot approve this claim. You can appeal within "
                "30 days if you have additional evidence."
            ),
        },
    },
    "zh-hans": {
        "reply": (
            "感谢您的耐心等待。我们正在根据库存和货件记录核实您的申诉，稍后会向您更新进展。"
            "\n\n{specialist}"
        ),
        "request": (
            "为继续调查，请提供供应商发票或其他单位成本证明，并确认您申诉的数量。\n\n{specialist}"
        ),
        "answer": "您好，发票已上传到本案件，申诉数量无误。",
        "appeal": "我们不同意该决定。记录显示这些商品从未找回，我们已附上原始发票，请重新审核。",
        "withdraw": "这些商品在后续的库存核对中已找到，我们撤回此申诉。",
        "explain": {
            "approve": "我们的记录证实了您的申诉，赔偿款将在下一次结算中发放。",
            "partial": (
                "我们的记录证实了您的部分申诉。已对核实的部分进行赔偿，其余部分的原因请见案件说明。"
            ),
            "deny": "经核查记录，我们无法批准此申诉。如有补充证据，您可在 30 天内提出申诉。",
        },
    },
    "ja": {
        "reply": (
            "お待たせしております。在庫および納品の記録と照合して調査中です。"
            "追ってご連絡いたします。\n\n{specialist}"
        ),
        "request": (
            "調査を続けるため、仕入先の請求書など単価を証明する書類をお送りいただき、"
            "申請数量をご確認ください。\n\n{specialist}"
        ),
        "answer": (
            "お世話になっております。請求書をケースに添付しました。申請数量に誤りはありません。"
        ),
        "appeal": (
            "この判断には同意できません。記録では商品は見つかっておらず、元の請求書も添付しました。"
            "再審査をお願いします。"
        ),
        "withdraw": "後日の棚卸しで商品が見つかったため、この申請を取り下げます。",
        "explain": {
            "approve": "記録により申請内容が確認できました。補填額は次回の支払いに含まれます。",
            "partial": (
                "記録により申請の一部が確認できました。確認できた分を補填しました。"
                "残りについてはケースの説明をご覧ください。"
            ),
            "deny": (
                "記録を確認しましたが、この申請は承認できません。追加の証拠がある場合は"
                "30日以内に再審査を申請できます。"
            ),
        },
    },
}

INTERNAL_NOTE = (
    "Checked the ledger, the catalogue dimensions and the seller's history: nothing unusual so "
    "far. Waiting on the records before deciding."
)

# team: (why we ask, what they answered)
ESCALATIONS: dict[str, tuple[str, str]] = {
    "warehouse": (
        "Please run a physical recount of the bin and check the damage log for this SKU.",
        "Recount done: the units are not in stock and no transfer is pending.",
    ),
    "logistics_partner": (
        "Carrier exception scan on this parcel; please confirm damage or loss with the carrier.",
        "The carrier confirmed the parcel was damaged in their network and accepts liability.",
    ),
    "fraud_investigation": (
        "The buyer filed several similar claims this month; please review the buyer account.",
        "Buyer account flagged for repeated false claims; the delivery scan is genuine.",
    ),
    "finance": (
        "Please check the payment ledger for this transaction and the fee table that was applied.",
        "Finance checked the ledger: the transfer was returned by the bank and will be re-sent.",
    ),
    "team_lead": (
        "Order defect appeal on an account at risk; please confirm the removal policy applies.",
        "Confirmed: defects on orders fulfilled by our network are removable.",
    ),
}

RESTRICTION_REASON = (
    "Third inventory claim this quarter with packaging that does not meet prep requirements; "
    "the account is already at risk. Recommend a listing restriction until prep is fixed."
)

# code: {language: (name, subject, body)}; placeholders as in ResponseTemplate.body's help.
RESPONSE_TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "request-invoice": {
        "en": (
            "Request an invoice",
            "Invoice needed for {reference}",
            "Hello {seller_name},\n\nTo finish reviewing {reference} ({sku}, {quantity} units) we "
            "need the supplier invoice for these units. Please upload it by {response_due}.\n\n"
            "{specialist}",
        ),
        "zh-hans": (
            "索取发票",
            "案件 {reference} 需要发票",
            "{seller_name} 您好：\n\n为完成案件 {reference}（{sku}，{quantity} 件）的审核，"
            "我们需要这些商品的供应商发票。请在 {response_due} 前上传。\n\n{specialist}",
        ),
        "ja": (
            "請求書の依頼",
            "{reference} の請求書のお願い",
            "{seller_name} 様\n\n{reference}（{sku}、{quantity}点）の審査のため、"
            "仕入先の請求書が必要です。{response_due} までにアップロードしてください。\n\n"
            "{specialist}",
        ),
    },
    "records-confirm": {
        "en": (
            "Records confirm the claim",
            "Your claim {reference} is approved",
            "Hello {seller_name},\n\nOur records confirm your claim {reference}. The "
            "reimbursement will appear in your next disbursement.\n\n{specialist}",
        ),
        "zh-hans": (
            "记录证实申诉",
            "您的申诉 {reference} 已获批准",
            "{seller_name} 您好：\n\n我们的记录证实了您的申诉 {reference}，"
            "赔偿款将在下一次结算中发放。\n\n{specialist}",
        ),
        "ja": (
            "記録により確認",
            "{reference} は承認されました",
            "{seller_name} 様\n\n記録により {reference} の申請内容が確認できました。"
            "補填額は次回の支払いに含まれます。\n\n{specialist}",
        ),
    },
}

# owner: [(name, query)] — bookmarked case lists in the workspace.
SAVED_VIEWS: dict[str, list[tuple[str, str]]] = {
    "lead": [("Escalated cases", "status=escalated"), ("Appeals", "status=appealed")],
    "specialist2": [("Japanese cases", "language=ja&status=in_review")],
}
