"""A generator of realistic helpdesk tickets: customers who complain, ask and thank, in five
languages, each ticket with its true category and mood, and how an agent answered it.

Used by ``seed-odoo`` (tickets in a real Odoo), the demo, the tests and the category and
sentiment benches. Realism that matters for the models: several phrasings per problem, a
minority of tickets that mention a second topic, moods that do not follow the category, short
and long texts, and replies that depend on the problem, not only on the category.

The moods follow the engine's definition of sentiment (the customer's mood, not the topic): a
calm report of a fault or a plain question is neutral ("My order has not arrived yet, it was due
last week. Could you check this?"); frustration, anger, threats to leave or repeated failure are
negative; thanks and praise are positive, also when the ticket reports a fault. ``mood`` is the
first message's; ``sentiment`` is the customer's side as a whole, what a sentiment model should
read from the description and the follow-up: negative when the follow-up is negative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# category → language → problem statements (the customer's own words).
PROBLEMS = {
    "Billing": {
        "en": ["I was charged twice for order {order}.",
               "The invoice {order} shows the wrong VAT number.",
               "My card was debited but the payment does not appear on my account.",
               "Why is there an extra fee of {amount} EUR on my last invoice?"],
        "zh": ["订单{order}被重复扣款了两次。", "发票{order}上的税号是错的。",
               "我的银行卡已经扣款，但账户里看不到付款记录。"],
        "de": ["Mir wurde die Bestellung {order} doppelt berechnet.",
               "Auf der Rechnung {order} steht eine falsche Umsatzsteuer-ID."],
        "fr": ["J'ai été facturé deux fois pour la commande {order}.",
               "La facture {order} indique un mauvais numéro de TVA."],
        "es": ["Me cobraron dos veces el pedido {order}.",
               "La factura {order} tiene un número de IVA incorrecto."],
    },
    "Delivery": {
        "en": ["My order {order} has not arrived yet, it was due last week.",
               "The tracking number for {order} does not work.",
               "The parcel was delivered to the wrong address.",
               "Only half of order {order} was delivered."],
        "zh": ["我的订单{order}还没有到，应该上周就到了。", "订单{order}的物流单号查不到。",
               "包裹送错地址了。"],
        "de": ["Meine Bestellung {order} ist immer noch nicht angekommen.",
               "Die Sendungsnummer für {order} funktioniert nicht."],
        "fr": ["Ma commande {order} n'est toujours pas arrivée.",
               "Le numéro de suivi de {order} ne fonctionne pas."],
        "es": ["Mi pedido {order} todavía no ha llegado.",
               "El número de seguimiento de {order} no funciona."],
    },
    "Product defect": {
        "en": ["The {product} stopped working after two days.",
               "The {product} arrived with a cracked screen.",
               "The {product} makes a loud noise when I switch it on.",
               "One of the parts of the {product} is missing from the box."],
        "zh": ["{product}用了两天就坏了。", "收到的{product}屏幕是裂的。",
               "{product}一开机就有很大的噪音。"],
        "de": ["Das Gerät {product} funktioniert nach zwei Tagen nicht mehr.",
               "Der {product} kam mit einem gesprungenen Bildschirm an."],
        "fr": ["Le {product} ne fonctionne plus après deux jours.",
               "Le {product} est arrivé avec l'écran fissuré."],
        "es": ["El {product} dejó de funcionar después de dos días.",
               "El {product} llegó con la pantalla rota."],
    },
    "Account access": {
        "en": ["I cannot log in to my account, the password reset email never comes.",
               "My account is locked after too many attempts.",
               "How do I change the email address of my account?"],
        "zh": ["我登录不了账户，重置密码的邮件一直收不到。", "尝试次数太多，我的账户被锁定了。"],
        "de": ["Ich kann mich nicht anmelden, die E-Mail zum Zurücksetzen kommt nie an.",
               "Mein Konto ist nach zu vielen Versuchen gesperrt."],
        "fr": ["Je n'arrive pas à me connecter, l'e-mail de réinitialisation n'arrive jamais.",
               "Mon compte est bloqué après trop de tentatives."],
        "es": ["No puedo iniciar sesión, nunca llega el correo para restablecer la contraseña.",
               "Mi cuenta está bloqueada después de demasiados intentos."],
    },
    "Returns": {
        "en": ["I would like to return the {product}, how do I get a return label?",
               "I sent the {product} back two weeks ago and still have no refund.",
               "Can I exchange the {product} for a different size?"],
        "zh": ["我想退货{product}，怎么拿到退货标签？",
               "两周前就把{product}寄回去了，还没有收到退款。"],
        "de": ["Ich möchte den {product} zurückschicken, wie bekomme ich ein Rücksendeetikett?",
               "Ich habe den {product} vor zwei Wochen zurückgeschickt und noch kein Geld "
               "erhalten."],
        "fr": ["Je voudrais retourner le {product}, comment obtenir une étiquette de retour ?",
               "J'ai renvoyé le {product} il y a deux semaines et je n'ai toujours pas été "
               "remboursé."],
        "es": ["Quiero devolver el {product}, ¿cómo consigo una etiqueta de devolución?",
               "Devolví el {product} hace dos semanas y todavía no tengo el reembolso."],
    },
    "How-to": {
        "en": ["How do I connect the {product} to my wifi?",
               "Is there a manual for the {product}?",
               "Which cable do I need to connect the {product} to my laptop?"],
        "zh": ["{product}怎么连接无线网络？", "{product}有没有说明书？"],
        "de": ["Wie verbinde ich den {product} mit meinem WLAN?",
               "Gibt es eine Anleitung für den {product}?"],
        "fr": ["Comment connecter le {product} à mon wifi ?",
               "Existe-t-il un manuel pour le {product} ?"],
        "es": ["¿Cómo conecto el {product} a mi wifi?",
               "¿Hay un manual para el {product}?"],
    },
}

# mood → language → what the customer adds around the problem.
MOODS = {
    "negative": {
        "en": ["This is unacceptable, I am really angry.",
               "Terrible service, I want my money back.",
               "I am very disappointed and will not order again.",
               "This is the third time I write, nobody answers!"],
        "zh": ["太差劲了，我非常生气！", "服务太糟糕了，我要退款。", "非常失望，以后不会再买了。"],
        "de": ["Das ist inakzeptabel, ich bin wirklich verärgert.",
               "Sehr enttäuschend, ich werde nie wieder bestellen."],
        "fr": ["C'est inacceptable, je suis vraiment en colère.",
               "Très déçu, je ne commanderai plus jamais chez vous."],
        "es": ["Esto es inaceptable, estoy muy enfadado.",
               "Muy decepcionado, no volveré a comprar."],
    },
    "neutral": {
        "en": ["Please let me know.", "Could you check this?", "Thanks in advance."],
        "zh": ["请告诉我怎么处理。", "麻烦查一下。"],
        "de": ["Bitte geben Sie mir Bescheid.", "Können Sie das prüfen?"],
        "fr": ["Merci de me tenir informé.", "Pouvez-vous vérifier ?"],
        "es": ["Por favor, avísenme.", "¿Pueden revisarlo?"],
    },
    "positive": {
        "en": ["I love your products, thanks for the great help last time!",
               "Your team has always been wonderful, thank you.",
               "Great shop, I am very happy with everything else."],
        "zh": ["非常喜欢你们的产品，上次的服务很好，谢谢！", "你们的团队一直很棒，谢谢。"],
        "de": ["Ich liebe Ihre Produkte, vielen Dank für die tolle Hilfe!",
               "Ihr Team ist immer wunderbar, danke."],
        "fr": ["J'adore vos produits, merci pour votre aide formidable !",
               "Votre équipe est toujours excellente, merci."],
        "es": ["Me encantan sus productos, ¡gracias por la gran ayuda!",
               "Su equipo siempre es maravilloso, gracias."],
    },
}

# category → language → how an agent answered (the suggested reply comes from these).
REPLIES = {
    "Billing": {"en": "We are sorry for the billing error. We have refunded the duplicate amount; "
                      "it will appear on your statement within 5 business days.",
                "zh": "很抱歉出现扣款错误。我们已退还重复的金额，5个工作日内到账。",
                "de": "Entschuldigen Sie den Rechnungsfehler. Wir haben den doppelten Betrag "
                      "erstattet.",
                "fr": "Désolés pour l'erreur de facturation. Nous avons remboursé le montant "
                      "en double.",
                "es": "Lamentamos el error de facturación. Hemos reembolsado el importe "
                      "duplicado."},
    "Delivery": {"en": "We checked with the carrier: your parcel is on its way and should arrive "
                       "within two days. Here is the new tracking link.",
                 "zh": "我们已联系快递公司，您的包裹正在派送中，预计两天内送达。",
                 "de": "Wir haben beim Versanddienst nachgefragt: Ihr Paket ist unterwegs.",
                 "fr": "Nous avons vérifié auprès du transporteur : votre colis est en route.",
                 "es": "Hemos consultado con el transportista: su paquete está en camino."},
    "Product defect": {"en": "Sorry the device is faulty. We are sending you a replacement today; "
                             "please return the defective one with the prepaid label.",
                       "zh": "很抱歉产品有故障。我们今天给您寄出换货，请用预付标签寄回故障品。",
                       "de": "Das Gerät ist leider defekt. Wir senden Ihnen heute Ersatz.",
                       "fr": "Désolés pour l'appareil défectueux. Nous vous envoyons un "
                             "remplacement aujourd'hui.",
                       "es": "Lamentamos el defecto. Le enviamos un reemplazo hoy mismo."},
    "Account access": {"en": "We have unlocked your account and sent a new password reset link. "
                             "Please check your spam folder too.",
                       "zh": "我们已解锁您的账户并重新发送了重置密码链接，请同时查看垃圾邮件。",
                       "de": "Wir haben Ihr Konto entsperrt und einen neuen Link gesendet.",
                       "fr": "Nous avons débloqué votre compte et envoyé un nouveau lien.",
                       "es": "Hemos desbloqueado su cuenta y enviado un nuevo enlace."},
    "Returns": {"en": "Here is your prepaid return label. Your refund is issued as soon as the "
                      "item reaches our warehouse.",
                "zh": "这是您的预付退货标签。商品到达仓库后我们会立即退款。",
                "de": "Hier ist Ihr Rücksendeetikett. Die Erstattung folgt nach Eingang.",
                "fr": "Voici votre étiquette de retour prépayée. Le remboursement suit la "
                      "réception.",
                "es": "Aquí tiene su etiqueta de devolución prepagada."},
    "How-to": {"en": "You will find the step-by-step guide in the attached manual, page 4. "
                     "Hold the setup button for 5 seconds to start pairing.",
               "zh": "请参考附件说明书第4页的步骤，长按设置键5秒开始配对。",
               "de": "Die Schritt-für-Schritt-Anleitung finden Sie im Handbuch auf Seite 4.",
               "fr": "Vous trouverez le guide pas à pas dans le manuel, page 4.",
               "es": "Encontrará la guía paso a paso en el manual, página 4."},
}

SUBJECTS = {
    "Billing": ["Invoice problem", "Double charge", "Payment question"],
    "Delivery": ["Where is my order?", "Delivery issue", "Tracking"],
    "Product defect": ["Broken product", "Defective item", "Not working"],
    "Account access": ["Login problem", "Account locked", "Cannot sign in"],
    "Returns": ["Return request", "Refund", "Exchange"],
    "How-to": ["Question", "Setup help", "How to"],
}
PRODUCTS = ["Desk Lamp", "Coffee Grinder", "Wireless Speaker", "Smart Plug", "Office Chair",
            "Monitor Stand", "Router", "Headphones"]
LANGUAGE_SHARES = {"en": 0.66, "zh": 0.12, "de": 0.08, "fr": 0.08, "es": 0.06}
CATEGORY_SHARES = {"Billing": 0.24, "Delivery": 0.22, "Product defect": 0.18,
                   "Account access": 0.12, "Returns": 0.14, "How-to": 0.10}
MOOD_SHARES = {"negative": 0.35, "neutral": 0.45, "positive": 0.20}
TICKET_COLUMNS = ["ticket_id", "customer_id", "created", "category", "recorded_category",
                  "language", "mood", "sentiment", "subject", "description", "followup", "reply",
                  "solved", "phrasing"]


def _pick(rng, shares: dict) -> str:
    keys = list(shares)
    return keys[rng.choice(len(keys), p=np.array(list(shares.values())) / sum(shares.values()))]


def _say(rng, options: list[str]) -> str:
    return options[rng.integers(len(options))]


def _ticket_text(rng, category: str, language: str, mood: str) -> tuple[str, int]:
    """The customer's text and which phrasing of the problem it uses."""
    slots = {"order": f"S{rng.integers(10000, 99999)}", "product": _say(rng, PRODUCTS),
             "amount": int(rng.integers(5, 60))}
    phrasing = int(rng.integers(len(PROBLEMS[category][language])))
    parts = [PROBLEMS[category][language][phrasing].format(**slots)]
    if rng.random() < 0.12:  # customers often mention a second, smaller problem
        other = _pick(rng, {c: s for c, s in CATEGORY_SHARES.items() if c != category})
        parts.append(_say(rng, PROBLEMS[other][language]).format(**slots))
    mood_line = _say(rng, MOODS[mood][language])
    parts.insert(0 if rng.random() < 0.3 else len(parts), mood_line)
    joiner = "" if language == "zh" else " "
    return joiner.join(parts), phrasing


def generate_tickets(n_tickets: int = 600, customer_ids: list | None = None,
                     start: str = "2024-01-01", end: str = "2026-06-30", seed: int = 0,
                     solved_share: float = 0.7, label_noise: float = 0.08) -> pd.DataFrame:
    """Tickets with their true category, mood and sentiment (the module docstring says what
    they mean); ``solved`` ones carry the agent's reply.

    ``recorded_category`` is what an agent filed the ticket under: the true category except
    for a ``label_noise`` share of tickets filed under another one, as happens in real desks.
    """
    rng = np.random.default_rng(seed)
    customers = customer_ids if customer_ids is not None else list(range(1, n_tickets // 3 + 2))
    span = (pd.Timestamp(end) - pd.Timestamp(start)).days
    rows = []
    for ticket_id in range(1, n_tickets + 1):
        category, language = _pick(rng, CATEGORY_SHARES), _pick(rng, LANGUAGE_SHARES)
        mood = _pick(rng, MOOD_SHARES)
        followup, sentiment = "", mood
        if rng.random() < 0.25:  # a second customer message, often more upset than the first
            followup_mood = "negative" if rng.random() < 0.6 else mood
            followup = _say(rng, MOODS[followup_mood][language])
            # An angry follow-up makes the conversation negative, whatever the first message.
            sentiment = "negative" if followup_mood == "negative" else mood
        recorded = category if rng.random() >= label_noise else _pick(
            rng, {c: s for c, s in CATEGORY_SHARES.items() if c != category})
        text, phrasing = _ticket_text(rng, category, language, mood)
        rows.append((
            ticket_id, customers[rng.integers(len(customers))],
            pd.Timestamp(start) + pd.Timedelta(days=int(rng.integers(span)),
                                               minutes=int(rng.integers(1440))),
            category, recorded, language, mood, sentiment, _say(rng, SUBJECTS[category]), text,
            followup,
            REPLIES[category][language], bool(rng.random() < solved_share), phrasing,
        ))
    frame = pd.DataFrame(rows, columns=TICKET_COLUMNS)
    return frame.sort_values("created", ignore_index=True)


def support_history(tx: pd.DataFrame, end, seed: int = 0, tickets_per_order: float = 0.15,
                    lapse_days: int = 180) -> pd.DataFrame:
    """Helpdesk tickets (``customer_id, date, sentiment``) for a generated sales history.

    Tickets follow orders (0–20 days after one). The assumption that makes them worth a churn
    feature, as support teams report it: customers who are about to stop buying complain more,
    so tickets after a lapsed customer's last orders are negative far more often (60 % against
    25 %). A customer counts as lapsed when their last order is ``lapse_days`` before ``end``.
    """
    rng = np.random.default_rng(seed)
    orders = tx.drop_duplicates("order_id")[["customer_id", "date"]]
    last = orders.groupby("customer_id")["date"].transform("max")
    lapsed = last < pd.Timestamp(end) - pd.Timedelta(days=lapse_days)
    near_end = (last - orders["date"]).dt.days <= 60
    n = len(orders)
    picked = rng.random(n) < tickets_per_order * np.where(lapsed & near_end, 2.0, 1.0)
    p_negative = np.where(lapsed & near_end, 0.6, 0.25)[picked]
    draw = rng.random(picked.sum())
    sentiment = np.where(draw < p_negative, rng.uniform(-0.9, -0.3, len(draw)),
                         np.where(draw < p_negative + 0.5, rng.uniform(-0.2, 0.2, len(draw)),
                                  rng.uniform(0.3, 0.9, len(draw))))
    dates = orders["date"][picked] + pd.to_timedelta(rng.integers(0, 21, picked.sum()), unit="D")
    frame = pd.DataFrame({"customer_id": orders["customer_id"][picked].to_numpy(),
                          "date": dates.to_numpy(), "sentiment": sentiment.round(3)})
    return frame[frame["date"] <= pd.Timestamp(end)].reset_index(drop=True)


def as_desk(generated: pd.DataFrame, cut: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The generated tickets as ``helpdesk.extract`` reads them from Odoo: (tickets,
    messages). The first ``cut`` tickets are the desk's history, solved, answered and filed
    (category ids are the codes of the sorted category names); the rest are new."""
    tickets = pd.DataFrame({
        "ticket_id": generated["ticket_id"], "customer_id": generated["customer_id"],
        "subject": generated["subject"], "description": generated["description"],
        # History is filed; the newest tickets are still open and uncategorised.
        "category_id": np.where(generated.index < cut,
                                generated["recorded_category"].astype("category").cat.codes, None),
        "solved": generated.index < cut, "created": generated["created"],
        "changed_at": generated["created"], "stored_sentiment": None, "scored_at": pd.NaT,
    })
    followups = generated[generated["followup"] != ""]
    messages = pd.concat([
        pd.DataFrame({"ticket_id": followups["ticket_id"], "date": followups["created"],
                      "body": followups["followup"], "from_agent": False}),
        pd.DataFrame({"ticket_id": generated["ticket_id"][:cut],
                      "date": generated["created"][:cut], "body": generated["reply"][:cut],
                      "from_agent": True}),
    ], ignore_index=True).sort_values(["ticket_id", "date"], ignore_index=True)
    return tickets, messages
