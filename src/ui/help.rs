//! What each decoded field means, for the detail view's tooltips.

pub fn field(name: &str) -> &'static str {
    match name {
        "format" => {
            "Which SMDR layout the line is: Mitel 5000 / MiVoice Office 250, App Suite IP SMDR, or MiVoice Business."
        }
        "kind" => {
            "call: a call record; header: the 5000's date line; event: one App Suite call event; unparsed: a line that could not be decoded (kept, with the reason)."
        }
        "source" => {
            "The file and line the record came from (for live data: the raw day log and its line)."
        }
        "date" => {
            "The call's date. 5000 records carry none: it comes from the receipt time, the latest SMDR header, or --date. MiVB prints month and day only."
        }
        "start" => {
            "When the call started (5000: when it became valid; ring start on ring-in records), 24-hour."
        }
        "timestamp" => {
            "When the App Suite event happened, after reading a 12-hour clock against the call's start."
        }
        "call_type" => {
            "5000 call type: LOC local, TLC toll local, TLD toll long distance, O/I operator/international, DSA DISA, CNF conference, DID, IN incoming, NET networked node; blank on ring-in diagnostic records."
        }
        "direction" => "IN or OUT, as the App Suite reports it.",
        "event" => {
            "The App Suite call event: RINGING, ANSWERED, HOLD, CONNECTED/CALLCONNECTED, DIVERTED, TRANSFERRED, QUEUED, CALLMODIFIED, DISCONNECTED (others are kept as printed)."
        }
        "ring_in" => {
            "A 5000 ring-in diagnostic record: how long an incoming call rang, and who answered (***** = nobody)."
        }
        "extension" => {
            "5000: the last endpoint that handled the call. App Suite: the device the event is about."
        }
        "source_extension" => "App Suite: where a diverted or transferred call came from.",
        "trunk" => "The trunk's extension number (P0001 is an IP network link on a 5000).",
        "digits" => {
            "5000: digits dialled (a trailing > means more than fit), or caller id and DID on incoming calls."
        }
        "number" => {
            "The outside number: caller id on incoming calls, the number dialled on outgoing ones (padding stripped)."
        }
        "contact_name" => "App Suite: the contact name for the outside number.",
        "ddi" => "App Suite: the DDI / DID number the call came in on.",
        "ddi_name" => "App Suite: the name given to that DDI.",
        "calling_party" => {
            "MiVB: who made the call — a station, Tnnn (CO trunk), Xnnn (non-CO trunk) or ATTm (attendant)."
        }
        "called_party" => "MiVB: who was called, in the same encoding.",
        "third_party" => "MiVB: the second station of a transfer or conference.",
        "duration_s" => {
            "How long the call lasted, in seconds (5000 ring-in records: how long it rang)."
        }
        "time_to_answer_s" => {
            "MiVB: seconds before the call was answered; empty when unanswered (***)."
        }
        "cost" => "5000 cost as printed: $XX.XX, $XXXXX above $99.99, $$$$$$ above $99999.",
        "account_code" => "The account code entered for the call, if any.",
        "trunk_disconnect" => {
            "5000: the * flag — the outside party (the trunk side) hung up first: the caller \
             on an incoming call, the number dialled on an outgoing one."
        }
        "completion" => {
            "MiVB completion: A answered, B busy, E error/invalid, T toll/TAFAS, I internal."
        }
        "transfer_flag" => "MiVB: T supervised transfer, X unsupervised, C conference.",
        "attendant" => {
            "MiVB: the * flag — an attendant (operator console) was involved in the call."
        }
        "long_call" => {
            "MiVB: - 5 to 10 minutes, % 10 to 30, + 30 minutes and more; empty when the line lost that first column."
        }
        "system_id" => "MiVB: the system identifier.",
        "ani" => "MiVB: the calling number (ANI) when the option is on.",
        "dnis" => "MiVB: the dialled number (DNIS) when the option is on.",
        "call_id" => {
            "App Suite: the call's id (its first 14 digits are its start). MiVB: the call identifier."
        }
        "call_sequence" => "MiVB: the call identifier's sequence digit.",
        "associated_call_id" => "MiVB: the call this one is associated with.",
        "error" => "Why the line could not be decoded. The line is kept as received.",
        "raw" => "The record text exactly as received, without framing.",
        _ => "",
    }
}
