//! The notice every page carries, kept apart from the page's handlers so the shared state can
//! hold it without importing them.

/// The notice every page carries: that the search is not medical advice, and what to do about
/// urgent symptoms. Either line may be empty (not shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub urgent: String,
}

impl Default for Notice {
    fn default() -> Notice {
        Notice {
            text: "These articles are general health information, not medical advice. They cannot \
                   replace a midwife, nurse, doctor or pharmacist who knows you."
                .into(),
            urgent: "If you think it is an emergency, call your local emergency number (999 in the \
                     UK, 911 in the US, 112 in the EU) or go to the nearest emergency department."
                .into(),
        }
    }
}
