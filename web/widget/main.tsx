// The embeddable visitor widget: one <script src=".../widget.js" async> tag, rendered in a Shadow DOM.
export {};
